from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from rubrics_app.registry import active_rubrics_clear

from .conftest import RUBRICS_DIR


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    for path in RUBRICS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    route = tmp_path / "route-ready.yaml"
    route.write_text(route.read_text().replace("grace_seconds: 300", "grace_seconds: soon"))
    return tmp_path


def test_it_reports_the_valid_platform_rubrics():
    out = StringIO()
    call_command("validate_rubrics", stdout=out)
    assert "11 rubrics and" in out.getvalue()


def test_it_exits_non_zero_naming_file_and_field(broken):
    with pytest.raises(CommandError, match=r"route-ready\.yaml: exit_criteria\.0\.grace_seconds: "):
        call_command("validate_rubrics", "--rubrics", str(broken))


def test_it_makes_manage_py_check_fail_on_an_invalid_rubric_set(broken, settings):
    settings.RUBRICS_DIR = broken
    try:
        with pytest.raises(SystemCheckError, match=r"rubrics\.E001.*route-ready\.yaml"):
            call_command("check")
    finally:
        active_rubrics_clear()


def test_it_passes_manage_py_check_with_the_platform_rubrics():
    call_command("check")


def test_it_refuses_to_serve_with_an_invalid_rubric_set(broken, tmp_path):
    import os
    import subprocess
    import sys

    root = RUBRICS_DIR.parent
    env = {**os.environ, "STARGATE_RUBRICS_DIR": str(broken), "STARGATE_DATA_DIR": str(tmp_path)}
    env.pop("STARGATE_DATABASE_URL", None)
    env.pop("STARGATE_REDIS_URL", None)
    command = [sys.executable, "manage.py", "serve", "--no-demo", "--port", "0"]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "rubrics.E001" in done.stderr and "route-ready.yaml" in done.stderr
