"""Where replay reads stored evidence: the scanner's table, or a folder of JSON files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps

from stargate.lib.evidence import NamespaceEvidence

from .capture_evidence import evidence_from_folder

# The scanning app's latest-evidence model (scanning branch: one row per LabInstance).
SCANNING_EVIDENCE_MODEL = ("scanning", "LabEvidence")


class NoStoredEvidence(Exception):
    pass


def stored_evidence() -> Iterator[tuple[str, NamespaceEvidence]]:
    """The latest evidence of every lab instance, from `scanning.models.LabEvidence`: what the
    scan assembled (`scanning.assemble`), with the lab context it adds today filled in on rows
    stored before it did."""
    try:
        model = apps.get_model(*SCANNING_EVIDENCE_MODEL)
    except LookupError as exc:
        raise NoStoredEvidence("scanning.LabEvidence does not exist yet") from exc
    from scanning.assemble import lab_context

    rows = model.objects.select_related("lab_instance__cluster", "lab_instance__lab")
    for row in rows.iterator(chunk_size=500):
        lab_instance = row.lab_instance
        evidence: NamespaceEvidence = dict(row.evidence)  # type: ignore[assignment]
        evidence["lab"] = {**lab_context(lab_instance), **(evidence.get("lab") or {})}
        yield str(lab_instance), evidence


def folder_evidence(directory: Path) -> Iterator[tuple[str, NamespaceEvidence]]:
    """`*.json` files holding one NamespaceEvidence each, or capture folders (one per namespace)."""
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix == ".json":
            yield path.stem, json.loads(path.read_text())
        elif path.is_dir() and any(path.glob("*.json")):
            yield path.name, evidence_from_folder(path)
