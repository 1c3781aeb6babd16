from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from remediation.models import RemediationAction


def _run(*args: str) -> str:
    out = StringIO()
    call_command("load_catalog", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_validates_only_with_check() -> None:
    assert "valid" in _run("--check")
    assert not RemediationAction.objects.exists()


def test_it_names_the_file_when_invalid(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.yaml"
    bad.write_text("version: '1'\nactions:\n  - id: x-y\n    risk: low\n")
    with pytest.raises(CommandError, match=f"{bad}: actions\\[x-y\\].description"):
        _run("--check", "--file", str(bad))


@pytest.mark.django_db
def test_it_shows_the_diff_and_applies_it() -> None:
    out = _run()
    assert "+ restart-pod" in out
    assert RemediationAction.objects.get(action_id="restart-pod").risk == "low"
    assert "catalog unchanged" in _run()


@pytest.mark.django_db
def test_it_reverts_admin_edits_and_disables_removed_actions() -> None:
    _run()
    RemediationAction.objects.filter(action_id="restart-pod").update(risk="high")
    RemediationAction.objects.create(
        action_id="old-action", description="gone", risk="low", scope="pod", allowed_when=["x"]
    )
    out = _run("--dry-run")
    assert "~ restart-pod.risk: 'high' → 'low'" in out
    assert "- old-action (disabled)" in out
    assert RemediationAction.objects.get(action_id="restart-pod").risk == "high"
    _run()
    assert RemediationAction.objects.get(action_id="restart-pod").risk == "low"
    assert not RemediationAction.objects.get(action_id="old-action").enabled


@pytest.mark.django_db
def test_it_refuses_an_invalid_admin_edit() -> None:
    from django.core.exceptions import ValidationError

    _run()
    action = RemediationAction.objects.get(action_id="restart-pod")
    action.operation = "rm_rf"
    with pytest.raises(ValidationError, match="operation must be one of"):
        action.full_clean()
