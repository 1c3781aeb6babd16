"""Turning what other apps stored into events, once each, from persisted cursors.

Sources: rubric verdict changes (`rubrics_app.StateChange`), cluster reachability (`Cluster`),
failed scan runs (`scanning.ScanRun`) and remediation outcomes (`remediation.AuditEntry`
after an execution); the collectors, recommendations and LLM reviews in `incidents.feeds`.
Each source is read past its cursor, so a restart loses and repeats nothing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime

from django.db import transaction

from incidents import feeds
from incidents.models import Cursor, Event
from labs.models import Cluster
from remediation.models import AuditEntry
from rubrics_app.models import StateChange
from scanning.models import ScanRun

logger = logging.getLogger(__name__)
BATCH = 2000
OUTCOME_TYPES = {
    "failed": Event.Type.FAILED,
    "warn": Event.Type.WARNED,
    "ready": Event.Type.PASSED,
}


def new_event_id() -> str:
    return "evt-" + secrets.token_hex(6)


def _cursor(name: str) -> Cursor:
    cursor, _ = Cursor.objects.select_for_update().get_or_create(name=name)
    return cursor


def _state_change_events() -> list[Event]:
    cursor = _cursor("state_changes")
    rows = list(
        StateChange.objects.filter(pk__gt=cursor.last_id)
        .exclude(rubric_id="")
        .select_related("lab_instance")
        .order_by("pk")[:BATCH]
    )
    if not rows:
        return []
    cursor.last_id = rows[-1].pk
    cursor.save(update_fields=["last_id"])
    return [
        Event(
            event_id=new_event_id(),
            source=f"sc:{row.pk}",
            event_type=OUTCOME_TYPES[row.to_status],
            at=row.at,
            lab_instance=row.lab_instance,
            cluster_id=row.lab_instance.cluster_id,
            rubric_id=row.rubric_id,
            outcome=row.to_status,
            failure_class=row.failure_class,
            message=row.reason[:2000],
            fingerprint=f"{row.lab_instance_id}:{row.rubric_id}:{row.failure_class}",
            metadata={"from_status": row.from_status},
        )
        for row in rows
        if row.to_status in OUTCOME_TYPES
    ]


def _cluster_events(now: datetime) -> list[Event]:
    cursor = _cursor("clusters")
    known: dict[str, bool] = dict(cursor.state)
    events = []
    for cluster in Cluster.objects.filter(enabled=True):
        before = known.get(str(cluster.pk), True)
        known[str(cluster.pk)] = cluster.reachable
        if before == cluster.reachable:
            continue
        kind = Event.Type.CLUSTER_HEALTHY if cluster.reachable else Event.Type.CLUSTER_DEGRADED
        events.append(
            Event(
                event_id=new_event_id(),
                source=f"cl:{cluster.pk}:{now.isoformat()}",
                event_type=kind,
                at=now,
                cluster=cluster,
                outcome="ready" if cluster.reachable else "stale",
                failure_class="" if cluster.reachable else "cluster-unreachable",
                message=cluster.last_error[:2000],
            )
        )
    if known != cursor.state:
        cursor.state = known
        cursor.save(update_fields=["state"])
    return events


def _scan_fault_events() -> list[Event]:
    cursor = _cursor("scan_runs")
    runs = list(
        ScanRun.objects.filter(pk__gt=cursor.last_id)
        .exclude(status=ScanRun.Status.RUNNING)
        .order_by("pk")[:BATCH]
    )
    # A run still running holds the cursor back: it is read once it ends.
    running = ScanRun.objects.filter(pk__gt=cursor.last_id, status=ScanRun.Status.RUNNING)
    first_running = running.order_by("pk").values_list("pk", flat=True).first()
    done = [run for run in runs if first_running is None or run.pk < first_running]
    if not done:
        return []
    cursor.last_id = done[-1].pk
    cursor.save(update_fields=["last_id"])
    return [
        Event(
            event_id=new_event_id(),
            source=f"scan:{run.pk}",
            event_type=Event.Type.SCAN_FAULT,
            at=run.finished_at or run.started_at,
            cluster_id=run.cluster_id,
            outcome="failed",
            message="; ".join(str(e) for e in run.errors)[:2000],
            metadata={"tier": run.tier, "error_kind": run.error_kind, "scan_run": run.pk},
        )
        for run in done
        if run.status == ScanRun.Status.FAILED
    ]


def _remediation_events() -> list[Event]:
    cursor = _cursor("remediation")
    entries = list(
        AuditEntry.objects.filter(pk__gt=cursor.last_id, event=AuditEntry.Event.AFTER)
        .select_related("action_request__lab_instance", "action_request__action")
        .order_by("pk")[:BATCH]
    )
    if not entries:
        return []
    cursor.last_id = entries[-1].pk
    cursor.save(update_fields=["last_id"])
    events = []
    for entry in entries:
        request = entry.action_request
        if request is None:
            continue
        lab_instance = request.lab_instance
        kind = Event.Type.REMEDIATION_EXECUTED if entry.ok else Event.Type.REMEDIATION_FAILED
        events.append(
            Event(
                event_id=new_event_id(),
                source=f"audit:{entry.pk}",
                event_type=kind,
                at=entry.created_at,
                lab_instance=lab_instance,
                cluster_id=lab_instance.cluster_id,
                outcome="succeeded" if entry.ok else "failed",
                failure_class=request.failure_class,
                message=entry.error[:2000],
                metadata={"action_request": request.pk, "action": request.action.action_id},
            )
        )
    return events


def _read(source: Callable[[], list[Event]]) -> list[Event]:
    """One source in its own savepoint: a source that cannot be read keeps its cursor and
    never holds the others back."""
    try:
        with transaction.atomic():
            return source()
    except Exception:
        logger.exception("incident pipeline: a source could not be read")
        return []


def events_ingest(now: datetime) -> list[Event]:
    """The new events of every source, in time order (not saved yet)."""
    sources: list[Callable[[], list[Event]]] = [
        _state_change_events,
        lambda: _cluster_events(now),
        _scan_fault_events,
        _remediation_events,
        lambda: feeds.collector_events(now),
        feeds.aap_events,
        lambda: feeds.smoke_test_events(now),
        feeds.recommendation_events,
        lambda: feeds.classification_events(now),
        lambda: feeds.promotion_events(now),
        lambda: feeds.investigation_events(now),
    ]
    events = [event for source in sources for event in _read(source)]
    return sorted(events, key=lambda e: e.at)
