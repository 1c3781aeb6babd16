"""Failure records: a rubric's failure on a lab from detection to resolution, and its cause
(platform-contracts 22.1-22.2, first match wins)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from incidents import conf
from incidents.models import Cause, Event, FailureRecord
from labs.models import LabInstance
from remediation.models import ActionRequest
from scanning.models import EvidenceRevision, LabEvidence

FAILING = (Event.Type.FAILED, Event.Type.WARNED)
# Kinds a person edits; a controller bumps none of their generations on its own.
EDITED_KINDS = ("deployments", "statefulsets", "virtualmachines", "routes", "services")


def _generations(evidence: dict[str, Any]) -> dict[str, int]:
    found = {}
    for kind in EDITED_KINDS:
        for obj in (evidence.get("objects") or {}).get(kind) or []:
            meta = obj.get("metadata") or {}
            if meta.get("generation") is not None:
                found[f"{kind}/{meta.get('name')}"] = int(meta["generation"])
    return found


def _changed_by_person(lab_instance: LabInstance, since: datetime, until: datetime) -> bool:
    """A top-level object's spec changed (its generation moved) while the failure was open."""
    before = (
        EvidenceRevision.objects.filter(lab_instance=lab_instance, collected_at__lte=since)
        .order_by("-collected_at")
        .values_list("evidence", flat=True)
        .first()
    )
    after = (
        LabEvidence.objects.filter(lab_instance=lab_instance)
        .values_list("evidence", flat=True)
        .first()
    )
    if before is None or after is None:
        return False
    old, new = _generations(before), _generations(after)
    return any(name in old and old[name] != generation for name, generation in new.items())


def cause_of(record: FailureRecord, lab_instance: LabInstance | None, now: datetime) -> Cause:
    recycled_before = now - timedelta(minutes=conf.recycled_minutes())
    if lab_instance is None or lab_instance.deleted_at is not None:
        return Cause.NAMESPACE_RECYCLED
    last = lab_instance.last_evaluated_at
    if last is not None and last < recycled_before and lab_instance.cluster.reachable:
        return Cause.NAMESPACE_RECYCLED
    remediated = (
        ActionRequest.objects.filter(
            lab_instance=lab_instance,
            status=ActionRequest.Status.SUCCEEDED,
            finished_at__gte=record.detected_at,
            finished_at__lte=now,
        )
        .order_by("-finished_at")
        .first()
    )
    if remediated is not None:
        record.remediation_id = remediated.pk
        return Cause.STARGATE_REMEDIATED
    if _changed_by_person(lab_instance, record.detected_at, now):
        return Cause.HUMAN_REMEDIATED
    return Cause.SELF_RESOLVED


def record_close(record: FailureRecord, at: datetime) -> None:
    lab_instance = None
    if record.lab_instance_id is not None:
        found = LabInstance.objects.select_related("cluster").filter(pk=record.lab_instance_id)
        lab_instance = found.first()
    record.cause = cause_of(record, lab_instance, at)
    record.resolved_at = at
    record.ttr_seconds = max(0.0, (at - record.detected_at).total_seconds())
    record.save(update_fields=["cause", "resolved_at", "ttr_seconds", "remediation_id"])


def records_apply(event: Event) -> None:
    """Open, move or close the failure record of the event's lab and rubric."""
    if event.lab_instance is None or not event.rubric_id:
        return
    open_records = FailureRecord.objects.filter(
        lab_instance=event.lab_instance, rubric_id=event.rubric_id, resolved_at__isnull=True
    )
    if event.event_type in FAILING:
        same = open_records.filter(failure_class=event.failure_class)
        if same.exists():
            same.update(outcome=event.outcome)
            return
        for record in open_records:  # the failure changed class: the old one ended
            record_close(record, event.at)
        FailureRecord.objects.create(
            lab_instance=event.lab_instance,
            cluster_id=event.lab_instance.cluster_id,
            lab_id=event.lab_instance.lab_id,
            rubric_id=event.rubric_id,
            failure_class=event.failure_class,
            outcome=event.outcome,
            detected_at=event.at,
        )
    elif event.event_type in (Event.Type.PASSED, Event.Type.RESOLVED):
        for record in open_records:
            record_close(record, event.at)


def _orphans_close(now: datetime) -> int:
    """Every open failure whose lab instance was deleted (its cluster removed): recycled."""
    closed = 0
    orphans = FailureRecord.objects.filter(resolved_at__isnull=True, lab_instance__isnull=True)
    while batch := list(orphans.order_by("pk")[:1000]):
        for record in batch:
            record.cause, record.resolved_at = Cause.NAMESPACE_RECYCLED, now
            record.ttr_seconds = max(0.0, (now - record.detected_at).total_seconds())
        FailureRecord.objects.bulk_update(batch, ["cause", "resolved_at", "ttr_seconds"])
        closed += len(batch)
    return closed


def records_recycled(now: datetime) -> int:
    """Close open failures of labs deleted (all of them), torn down, or not evaluated for the
    recycled window while their cluster answers (500 a pass)."""
    cutoff = now - timedelta(minutes=conf.recycled_minutes())
    closed = _orphans_close(now)
    gone = FailureRecord.objects.filter(
        resolved_at__isnull=True, lab_instance__deleted_at__isnull=False
    ) | FailureRecord.objects.filter(
        resolved_at__isnull=True,
        lab_instance__last_evaluated_at__lt=cutoff,
        lab_instance__cluster__reachable=True,
    )
    for record in gone.distinct()[:500]:
        record_close(record, now)
        closed += 1
    return closed
