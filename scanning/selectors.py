"""Reads of scanning's stored data that other apps need (`rubrics_app`'s replay)."""

from __future__ import annotations

from collections.abc import Iterator

from labs.models import LabInstance
from scanning.assemble import lab_context
from scanning.models import LabEvidence
from stargate.lib.evidence import NamespaceEvidence


def lab_evidence_latest() -> Iterator[tuple[LabInstance, NamespaceEvidence]]:
    """The latest evidence of every lab instance, as the scan assembled it, with the lab
    context it adds today filled in on rows stored before it did."""
    rows = LabEvidence.objects.select_related("lab_instance__cluster", "lab_instance__lab")
    for row in rows.iterator(chunk_size=500):
        lab_instance = row.lab_instance
        evidence: NamespaceEvidence = dict(row.evidence)  # type: ignore[assignment]
        evidence["lab"] = {**lab_context(lab_instance), **(evidence.get("lab") or {})}
        yield lab_instance, evidence
