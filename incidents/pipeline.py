"""The event pipeline, run by a worker after the commits that feed it, never inside a scan:
ingest → filter → deduplicate → correlate → triage → impact, failure records, incidents."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from incidents import conf
from incidents.broadcast import incidents_changed_on_commit
from incidents.grouping import PROVISIONING_TYPES, incidents_sync, provisioning_key
from incidents.ingest import events_ingest
from incidents.models import Cursor, Event, Incident, IncidentMember, TimelineEntry
from incidents.records import records_apply, records_recycled
from incidents.signals import events_notifiable
from labs.models import Cluster, LabInstance

logger = logging.getLogger(__name__)
CLUSTER_WIDE = (
    Incident.Kind.CLUSTER_UNREACHABLE,
    Incident.Kind.NODE,
    Incident.Kind.STORAGE_CLASS,
    Incident.Kind.CLUSTER_CLASS,
)
INFORMATIONAL = (
    Event.Type.TEARDOWN_STUCK,
    Event.Type.RECOMMENDATION_RAISED,
    Event.Type.RECOMMENDATION_RESOLVED,
)


@dataclass(frozen=True)
class PipelineResult:
    events: int
    notified: int
    incidents_changed: list[int]


def _link_events(event_ids: list[int]) -> list[int]:
    """Events of labs in an open incident (or of its unreachable cluster) belong to it: their
    own notifications are suppressed."""
    members = IncidentMember.objects.filter(
        recovered_at__isnull=True, incident__status__in=Incident.OPEN_STATES
    ).values_list("lab_instance_id", "incident_id")
    for lab_instance_id, incident_id in members:
        Event.objects.filter(pk__in=event_ids, lab_instance_id=lab_instance_id).update(
            incident_id=incident_id, notify=False
        )
    unreachable = Incident.objects.filter(
        status__in=Incident.OPEN_STATES, kind=Incident.Kind.CLUSTER_UNREACHABLE
    ).values_list("pk", "cluster_id")
    for incident_id, cluster_id in unreachable:
        Event.objects.filter(
            pk__in=event_ids, cluster_id=cluster_id, lab_instance__isnull=True, incident=None
        ).update(incident_id=incident_id, notify=False)
    _link_provisioning(event_ids)
    return _link_informational(event_ids)


def _link_provisioning(event_ids: list[int]) -> None:
    """Provisioning and smoke-test failures belong to their catalog item's open incident on
    that cluster, those of this pass and the earlier ones of its window alike."""
    keys = dict(
        Incident.objects.filter(
            kind=Incident.Kind.PROVISIONING, status__in=Incident.OPEN_STATES
        ).values_list("key", "pk")
    )
    rows = Event.objects.filter(pk__in=event_ids, event_type__in=PROVISIONING_TYPES)
    for pk, fingerprint in rows.values_list("pk", "fingerprint"):
        incident_id = keys.get(provisioning_key(fingerprint))
        if incident_id is None:
            continue
        Event.objects.filter(pk=pk).update(incident_id=incident_id, notify=False)
        opened = Incident.objects.get(pk=incident_id).opened_at - timedelta(
            minutes=conf.group_window_minutes()
        )
        Event.objects.filter(fingerprint=fingerprint, incident=None, at__gte=opened).update(
            incident_id=incident_id
        )


def _link_informational(event_ids: list[int]) -> list[int]:
    """A catalog item's or a cluster's own event (a recommendation, a stuck teardown) joins
    the open incident of that catalog item, else a cluster-wide one of that cluster, and its
    timeline."""
    rows = Event.objects.filter(
        pk__in=event_ids, incident=None, lab_instance=None, event_type__in=INFORMATIONAL
    )
    told: list[int] = []
    for event in rows:
        incidents = Incident.objects.filter(status__in=Incident.OPEN_STATES).order_by("-opened_at")
        if event.lab_id is not None:
            incident = incidents.filter(lab_id=event.lab_id).first()
        elif event.cluster_id is not None:
            incident = incidents.filter(cluster_id=event.cluster_id, kind__in=CLUSTER_WIDE).first()
        else:
            continue
        if incident is None:
            continue
        event.incident, event.notify = incident, False
        event.save(update_fields=["incident", "notify"])
        text = f"{event.get_event_type_display()}: {event.message}"[:500]
        TimelineEntry.objects.create(incident=incident, at=event.at, kind="event", text=text)
        told.append(incident.pk)
    return told


@contextmanager
def _constraints_checked_at_once() -> Iterator[None]:
    """PostgreSQL checks foreign keys at commit by default: a row naming a lab instance deleted
    meanwhile (by another transaction) failed the whole pass there. Checked at each statement,
    the failure stays in the savepoint of its event or group, and the referenced rows are
    key-share locked until the commit, so they cannot go while the pass runs."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield  # an error rolls the transaction back, and the mode with it
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _event_run(event: Event, now: datetime) -> list[Event]:
    from incidents.stages import event_process

    with transaction.atomic():
        rows = event_process(event, now)
        for row in rows:
            row.processed = True
            row.save()
        records_apply(event)
    return rows


def _event_failed(event: Event, error: Exception) -> Event | None:
    """Store an event that failed in its stages, with its error, so the cursor moves on."""
    logger.error("incident pipeline: event %s (%s) failed: %r", event.event_id, event.source, error)
    lab, cluster = event.lab_instance_id, event.cluster_id
    lab = lab if lab is not None and LabInstance.objects.filter(pk=lab).exists() else None
    cluster = (
        cluster if cluster is not None and Cluster.objects.filter(pk=cluster).exists() else None
    )
    row = Event(
        event_id=event.event_id,
        source=event.source,
        event_type=event.event_type,
        at=event.at,
        lab_instance_id=lab,
        cluster_id=cluster,
        rubric_id=event.rubric_id,
        outcome=event.outcome,
        failure_class=event.failure_class,
        message=event.message,
        fingerprint=event.fingerprint,
        metadata={**event.metadata, "error": f"{type(error).__name__}: {error}"[:1000]},
        filtered=True,
        filter_reason=f"error: {type(error).__name__}"[:200],
        processed=True,
    )
    try:
        with transaction.atomic():
            row.save()
    except Exception:
        logger.exception("incident pipeline: event %s could not be stored", event.source)
        return None
    return row


@transaction.atomic
def events_process(now: datetime | None = None) -> PipelineResult:
    """One pass; workers running at once take turns on the pipeline's row lock. Each event
    runs in its own savepoint: one that fails is stored with its error and never blocks the
    others (nor the cursors)."""
    now = now or timezone.now()
    Cursor.objects.get_or_create(name="pipeline")
    Cursor.objects.select_for_update().get(name="pipeline")
    with _constraints_checked_at_once():
        return _process(now)


def _process(now: datetime) -> PipelineResult:
    stored: list[Event] = []
    for event in events_ingest(now):
        try:
            stored.extend(_event_run(event, now))
        except Exception as error:
            failed = _event_failed(event, error)
            stored.extend([failed] if failed is not None else [])
    records_recycled(now)
    changed = incidents_sync(now)
    ids = [event.pk for event in stored]
    if ids:
        changed += [pk for pk in _link_events(ids) if pk not in changed]
    if changed:
        incidents_changed_on_commit(changed)
    notified = list(Event.objects.filter(pk__in=ids, notify=True).values_list("pk", flat=True))
    if notified:
        events_notifiable.send(sender=None, event_ids=notified)
    return PipelineResult(len(stored), len(notified), changed)
