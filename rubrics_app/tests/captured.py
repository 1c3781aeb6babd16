"""Reading the real captures in tests."""

from __future__ import annotations

from pathlib import Path

from rubrics_app.capture_evidence import capture_items
from stargate.lib.evidence import KubeObject


def items(captures: Path, relative: str) -> list[KubeObject]:
    return capture_items(captures / relative)


def one(captures: Path, relative: str) -> KubeObject:
    return items(captures, relative)[0]
