"""Where replay reads stored evidence: the scanner's table, or a folder of JSON files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from scanning.selectors import lab_evidence_latest
from stargate.lib.evidence import NamespaceEvidence

from .capture_evidence import evidence_from_folder


def stored_evidence() -> Iterator[tuple[str, NamespaceEvidence]]:
    """The latest evidence of every lab instance, as the scanner stored it."""
    for lab_instance, evidence in lab_evidence_latest():
        yield str(lab_instance), evidence


def folder_evidence(directory: Path) -> Iterator[tuple[str, NamespaceEvidence]]:
    """`*.json` files holding one NamespaceEvidence each, or capture folders (one per namespace)."""
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix == ".json":
            yield path.stem, json.loads(path.read_text())
        elif path.is_dir() and any(path.glob("*.json")):
            yield path.name, evidence_from_folder(path)
