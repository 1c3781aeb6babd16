"""The embedded data directory and SQLite files are private to StarGate's account."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke

BASE_DIR = Path(__file__).resolve().parents[2]
OPEN_AND_WRITE = (
    "import django; django.setup(); from django.db import connection; "
    "connection.cursor().execute('create table t (x int)')"
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run_embedded(data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STARGATE_", "DJANGO_"))}
    env |= {"STARGATE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "stargate.settings"}
    result = subprocess.run(
        [sys.executable, "-c", f"import os; os.umask(0o022); {OPEN_AND_WRITE}"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_it_creates_the_data_dir_and_database_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    _run_embedded(data_dir)

    assert _mode(data_dir) == 0o700
    database = data_dir / "stargate.sqlite3"
    assert _mode(database) == 0o600
    for extra in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        assert not extra.exists() or _mode(extra) == 0o600


def test_it_tightens_files_an_older_version_left_open(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir(mode=0o755)
    (data_dir / "stargate.sqlite3").touch(mode=0o644)

    _run_embedded(data_dir)

    assert _mode(data_dir) == 0o700
    assert _mode(data_dir / "stargate.sqlite3") == 0o600
