"""The embedded mode's data directory and SQLite file are private to the account running
StarGate: the database holds sessions, API-key digests and cluster evidence."""

from __future__ import annotations

import os
from pathlib import Path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def data_dir_prepare(directory: Path, database: Path | None = None) -> None:
    """Create `directory` (0700) and the SQLite `database` file (0600) before SQLite opens it.

    SQLite gives its -wal and -shm files the database file's mode, so they stay private too;
    files left by an older version are tightened here.
    """
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    directory.chmod(DIRECTORY_MODE)
    if database is None:
        return
    os.close(os.open(database, os.O_CREAT | os.O_RDWR, FILE_MODE))
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        if path.exists():
            path.chmod(FILE_MODE)
