"""Every STARGATE_* variable the settings read is documented in the README's configuration table."""

from __future__ import annotations

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def _read_by_settings() -> set[str]:
    source = (BASE_DIR / "stargate" / "settings.py").read_text()
    return set(re.findall(r"[\"'](STARGATE_[A-Z0-9_]+)[\"']", source))


def _documented() -> set[str]:
    readme = (BASE_DIR / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(STARGATE_[A-Z0-9_]+)`", section, flags=re.MULTILINE))


def test_it_documents_every_variable_the_settings_read() -> None:
    assert _read_by_settings() - _documented() == set()


def test_it_finds_the_variables_on_both_sides() -> None:
    # Guards the two regexes: an empty match on either side would make the check above vacuous.
    assert {"STARGATE_MODE", "STARGATE_OIDC_SERVER_URL"} <= _read_by_settings()
    assert {"STARGATE_MODE", "STARGATE_OIDC_SERVER_URL"} <= _documented()
