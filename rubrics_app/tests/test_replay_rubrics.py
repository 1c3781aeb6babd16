from __future__ import annotations

import json
import shutil
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from rubrics_app.capture_evidence import evidence_from_folder
from rubrics_app.loader import rubric_set_load
from rubrics_app.replay import replay

from .conftest import RUBRICS_DIR

NOW = "2026-05-05T15:10:00+00:00"


@pytest.fixture
def candidate(tmp_path: Path) -> Path:
    """The guest agent made required and the VM boot grace cut to two minutes."""
    folder = tmp_path / "candidate"
    shutil.copytree(RUBRICS_DIR, folder)
    vm = folder / "vm-runtime-ready.yaml"
    text = vm.read_text().replace("grace_seconds: 1200", "grace_seconds: 120")
    vm.write_text(
        text.replace("    required: false\n    required_if_lab: requires_guest_agent\n", "")
    )
    return folder


def test_it_reports_only_labs_whose_verdict_changes(captures, rubric_set, candidate):
    items = [
        (name, evidence_from_folder(captures / "oc" / name)) for name in ("vm-unhealthy", "healthy")
    ]
    diffs = list(replay(items, rubric_set, rubric_set_load(candidate), datetime.fromisoformat(NOW)))
    assert [(d.label, d.before.value, d.after.value) for d in diffs] == [
        ("vm-unhealthy", "progressing", "failed")
    ]
    rubric = diffs[0].rubrics[0]
    assert (rubric.rubric_id, rubric.before, rubric.after) == (
        "vm-runtime-ready",
        "progressing",
        "failed (vm-boot-timeout)",
    )
    # The VMI's own timestamps time the boot; the VM's Ready says nothing of when it started.
    assert "vmis-ready: Scheduling" in rubric.why


def test_it_finds_no_change_when_the_set_is_unchanged(captures, rubric_set):
    items = [("live-cnv", evidence_from_folder(captures / "live-cnv"))]
    assert list(replay(items, rubric_set, rubric_set, datetime.fromisoformat(NOW))) == []


def test_it_prints_the_changes_from_an_evidence_folder(captures, candidate, tmp_path):
    evidence_dir = tmp_path / "evidence"
    evidence_dir.mkdir()
    (evidence_dir / "cnv.json").write_text(json.dumps(evidence_from_folder(captures / "live-cnv")))
    shutil.copytree(captures / "oc" / "vm-unhealthy", evidence_dir / "vm-unhealthy")
    out = StringIO()
    call_command(
        "replay_rubrics",
        "--rubrics",
        str(candidate),
        "--evidence-dir",
        str(evidence_dir),
        "--now",
        "2026-05-07T00:00:00+00:00",
        stdout=out,
    )
    text = out.getvalue()
    assert "cnv: warn → failed" in text
    assert "vm-runtime-ready: warn (guest-agent-missing) → failed (guest-agent-missing)" in text
    assert "vm-unhealthy" not in text  # long past both grace windows: failed either way
    assert text.rstrip().endswith("1 of 2 labs would change outcome.")


def test_it_names_the_broken_candidate_file(tmp_path, candidate):
    (candidate / "route-ready.yaml").write_text("id: route-ready\nversion: 0\n")
    with pytest.raises(CommandError, match=r"route-ready\.yaml: "):
        call_command("replay_rubrics", "--rubrics", str(candidate), "--evidence-dir", str(tmp_path))


@pytest.mark.django_db
def test_it_asks_for_an_evidence_folder_until_the_scanner_stores_evidence():
    from django.apps import apps

    try:
        apps.get_model("scanning", "LabEvidence")
    except LookupError:
        with pytest.raises(CommandError, match="--evidence-dir"):
            call_command("replay_rubrics")
    else:
        call_command("replay_rubrics", stdout=StringIO())
