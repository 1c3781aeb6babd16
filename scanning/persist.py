"""Storing evidence in bulk: the latest per lab, and a revision only when the content changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from labs.models import LabInstance
from scanning.digest import evidence_hash, pods_digest
from scanning.footprint import requested
from scanning.models import EvidenceRevision, LabEvidence
from stargate.lib.evidence import NamespaceEvidence
from stargate.lib.sqlbulk import json_text, rows_insert


@dataclass(frozen=True)
class Recorded:
    stored: int
    changed: int


def evidence_store(
    *, items: list[tuple[LabInstance, NamespaceEvidence]], now: datetime
) -> Recorded:
    """Upsert LabEvidence rows for `items` and add EvidenceRevision rows for changed ones.
    A handful of queries whatever the number of labs."""
    # Hashes only: decoding every stored evidence JSON would cost more than the scan.
    existing = {
        row.lab_instance_id: row
        for row in LabEvidence.objects.filter(lab_instance__in=[li for li, _ in items]).only(
            "pk", "lab_instance_id", "content_hash"
        )
    }
    created: list[LabEvidence] = []
    changed: list[LabEvidence] = []
    revisions: list[EvidenceRevision] = []
    unchanged_ids: list[int] = []
    for lab_instance, evidence in items:
        content_hash = evidence_hash(evidence)
        digest = pods_digest(evidence.get("objects", {}).get("pods", []))
        row = existing.get(lab_instance.pk)
        if row is not None and row.content_hash == content_hash:
            unchanged_ids.append(row.pk)
            continue
        if row is None:
            # By id: `lab_instance=` would cache the row (and its evidence) on the instance,
            # keeping every lab's evidence alive until the scan ends.
            row = LabEvidence(lab_instance_id=lab_instance.pk)
            created.append(row)
        else:
            changed.append(row)
        row.evidence, row.content_hash, row.pods_digest = evidence, content_hash, digest
        row.cpu_requested_millicores, row.memory_requested_bytes = requested(evidence)
        row.collected_at = row.changed_at = now
        literal = json_text(evidence)  # serialized once for the row and its revision
        if row.pk is None:
            row.evidence = literal
        revisions.append(
            EvidenceRevision(
                lab_instance_id=lab_instance.pk,
                evidence=literal,
                content_hash=content_hash,
                collected_at=now,
            )
        )
    rows_insert(LabEvidence, created)  # by COPY, see there
    LabEvidence.objects.bulk_update(
        changed,
        [
            "evidence",
            "content_hash",
            "pods_digest",
            "cpu_requested_millicores",
            "memory_requested_bytes",
            "collected_at",
            "changed_at",
        ],
        batch_size=500,
    )
    LabEvidence.objects.filter(pk__in=unchanged_ids).update(collected_at=now)
    rows_insert(EvidenceRevision, revisions)
    return Recorded(stored=len(items), changed=len(revisions))
