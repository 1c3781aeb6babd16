"""Reads of scanning's stored data that other apps need: `rubrics_app`'s replay, the API."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth.models import User
from django.db.models import QuerySet

from labs.models import LabInstance
from scanning.assemble import lab_context
from scanning.models import LabEvidence, ScanRun
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


def scan_runs_for(user: User) -> QuerySet[ScanRun]:
    """The scan runs `user` may see (the API reads through here), newest first: every one, for
    now; team scoping narrows it here."""
    return ScanRun.objects.select_related("cluster").order_by("-started_at", "-pk")
