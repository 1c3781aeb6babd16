"""Messages for the pipeline's events that are notified on their own (`Event.notify`: not
filtered, not part of an open incident), ordered per lab (or per cluster)."""

from __future__ import annotations

import hashlib

from django.urls import reverse

from incidents.models import Event
from labs.models import Lab
from notifications.payloads import Message
from notifications.routes import Facts

# Events without a triage level (not lab failures) get these.
SEVERITY: dict[str, str] = {
    Event.Type.CLUSTER_DEGRADED: "high",
    Event.Type.REMEDIATION_FAILED: "high",
    Event.Type.SCAN_FAULT: "medium",
    Event.Type.FLAPPING: "medium",
    Event.Type.PROVISION_FAILED: "high",
    Event.Type.SMOKE_TEST_FAILED: "medium",
    Event.Type.TEARDOWN_STUCK: "medium",
    Event.Type.COLLECTOR_DEGRADED: "medium",
}


def event_severity(event: Event) -> str:
    metadata = event.metadata if isinstance(event.metadata, dict) else {}
    level = metadata.get("triage_level")
    if not level and event.event_type == Event.Type.RECOMMENDATION_RAISED:
        level = metadata.get("urgency")
    return str(level) if level else SEVERITY.get(event.event_type, "low")


def _item(event: Event) -> Lab | None:
    """The catalog item: the lab instance's, else the event's own (a provisioning failure)."""
    return event.lab_instance.lab if event.lab_instance is not None else event.lab


def event_facts(event: Event) -> Facts:
    item = _item(event)
    team = item.team_id if item is not None else None
    return Facts(
        "events",
        event_severity(event),
        frozenset([team] if team else []),
        frozenset([event.cluster_id] if event.cluster_id else []),
        frozenset([item.pk] if item is not None else []),
    )


def event_group(event: Event) -> str:
    if event.lab_instance_id is not None:
        return f"lab-{event.lab_instance_id}"
    return f"cluster-{event.cluster_id or 0}"


def _fields(event: Event) -> list[tuple[str, str]]:
    lab_instance, metadata = event.lab_instance, event.metadata or {}
    fields = [
        ("Cluster", event.cluster.name if event.cluster else "?"),
        ("Lab", lab_instance.namespace if lab_instance else "?"),
        ("Priority", f"{event.priority:.0f} ({event_severity(event)})"),
        ("Stage", event.rubric_id or "?"),
    ]
    if event.failure_class:
        fields.append(("Class", event.failure_class))
    correlation = metadata.get("correlation") or {}
    if event.systemic and correlation:
        fields.append(("Systemic", str(correlation.get("pattern", "yes"))))
    blast = metadata.get("blast_radius") or {}
    if blast:
        radius = f"{blast.get('failing_labs')} of {blast.get('total_labs')} labs"
        fields.append(("Blast radius", f"{radius} ({blast.get('failure_rate')}%)"))
    return fields


def event_message(event: Event, public_url: str) -> Message:
    lab_instance, item = event.lab_instance, _item(event)
    where = event.cluster.name if event.cluster else "?"
    if lab_instance is not None:
        where += f"/{lab_instance.namespace}"
        path = reverse("labs:lab_instance_detail", args=[lab_instance.pk])
    elif event.cluster is not None:
        path = reverse("labs:cluster_detail", args=[where])
    else:  # a collector's or a catalog item's event
        collector = (event.metadata or {}).get("collector")
        where = item.catalog_item if item is not None else str(collector or "StarGate")
        path = reverse("incidents:incident_list")
    what = event.failure_class or event.event_type
    key = event.fingerprint or f"{event.event_type}:{event.cluster_id}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return Message(
        change=event.event_type,
        title=f"{what} on {where}",
        severity=event_severity(event),
        text=event.message or event.get_event_type_display(),
        url=public_url + path,
        fingerprint=f"stargate-event-{digest}",
        at=event.at,
        source=event.cluster.name if event.cluster else "stargate",
        component=item.catalog_item if item is not None else "",
        kind=event.event_type,
        fields=tuple(_fields(event)),
        details={"event_id": event.event_id},
    )


def events_to_tell(event_ids: list[int]) -> list[Event]:
    return list(
        Event.objects.filter(pk__in=event_ids, notify=True)
        .select_related("cluster", "lab_instance__lab", "lab")
        .order_by("at", "pk")
    )
