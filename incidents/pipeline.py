"""The event pipeline, run by a worker after the commits that feed it, never inside a scan:
ingest → filter → deduplicate → correlate → triage → impact, failure records, incidents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from incidents.broadcast import incidents_changed_on_commit
from incidents.grouping import incidents_sync
from incidents.ingest import events_ingest
from incidents.models import Cursor, Event, Incident, IncidentMember
from incidents.records import records_apply, records_recycled
from incidents.signals import events_notifiable


@dataclass(frozen=True)
class PipelineResult:
    events: int
    notified: int
    incidents_changed: list[int]


def _link_events(event_ids: list[int]) -> None:
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
            pk__in=event_ids, cluster_id=cluster_id, lab_instance__isnull=True
        ).update(incident_id=incident_id, notify=False)


@transaction.atomic
def events_process(now: datetime | None = None) -> PipelineResult:
    """One pass; workers running at once take turns on the pipeline's row lock."""
    from incidents.stages import event_process

    now = now or timezone.now()
    Cursor.objects.get_or_create(name="pipeline")
    Cursor.objects.select_for_update().get(name="pipeline")
    stored: list[Event] = []
    for event in events_ingest(now):
        for row in event_process(event, now):
            row.processed = True
            row.save()
            stored.append(row)
        records_apply(event)
    records_recycled(now)
    changed = incidents_sync(now)
    ids = [event.pk for event in stored]
    if ids:
        _link_events(ids)
    if changed:
        incidents_changed_on_commit(changed)
    notified = list(Event.objects.filter(pk__in=ids, notify=True).values_list("pk", flat=True))
    if notified:
        events_notifiable.send(sender=None, event_ids=notified)
    return PipelineResult(len(stored), len(notified), changed)
