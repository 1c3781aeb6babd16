"""The transactional outbox: messages are written in the transaction of the change that causes
them (`incidents.signals.incident_changing`, `remediation.signals.approval_requested`), one row
per channel, and delivered by workers after the commit (`notifications.delivery`)."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from incidents.models import Cause, Event, Incident, IncidentMember
from incidents.signals import events_notifiable, incident_changing
from notifications import conf
from notifications.event_messages import event_facts, event_group, event_message, events_to_tell
from notifications.models import SEVERITY_RANK, Channel, Notification, Route
from notifications.payloads import Message, body_for
from notifications.routes import Facts, channels_routed
from remediation.models import ActionRequest
from remediation.signals import approval_requested

INCIDENT_CHANGES = ("opened", "updated", "acknowledged", "resolved")
DISPATCH_UID = "notifications-outbox"


def connect() -> None:
    incident_changing.connect(_on_incident, dispatch_uid=DISPATCH_UID)
    approval_requested.connect(_on_approval, dispatch_uid=DISPATCH_UID)
    events_notifiable.connect(_on_events, dispatch_uid=DISPATCH_UID)


def _on_incident(sender: Any, incident_id: int, change: str, **kwargs: Any) -> None:
    if change in INCIDENT_CHANGES:
        incident_notifications_write(incident_id, change)


def _on_approval(sender: Any, action_request: ActionRequest, **kwargs: Any) -> None:
    approval_notifications_write(action_request)


def _on_events(sender: Any, event_ids: list[int], **kwargs: Any) -> None:
    event_notifications_write(event_ids)


def _link(path: str) -> str:
    return conf.public_url() + path


def _routes(topic: str) -> list[Route]:
    return list(
        Route.objects.filter(
            enabled=True, channel__enabled=True, topic__in=[Route.Topic.ALL, topic]
        ).select_related("channel")
    )


def write(
    channels: list[Channel],
    message: Message,
    *,
    group: str,
    incident: Incident | None = None,
    action_request: ActionRequest | None = None,
    event: Event | None = None,
) -> list[Notification]:
    """One outbox row per channel, each with its own idempotency key."""
    rows = []
    for channel in channels:
        key = uuid.uuid4().hex
        rows.append(
            Notification(
                channel=channel,
                key=key,
                group=group,
                change=message.change,
                incident=incident,
                action_request=action_request,
                event_ref=event.event_id if event is not None else "",
                severity=message.severity,
                title=message.title[:300],
                body=body_for(channel.kind, message, key),
            )
        )
    Notification.objects.bulk_create(rows)
    if rows and conf.deliver_after_commit():
        transaction.on_commit(queue_delivery, robust=True)
    return rows


def queue_delivery() -> None:
    from django_q.tasks import async_task

    async_task("notifications.tasks.deliver_due")


# --- incidents ---------------------------------------------------------------------------------


def fingerprint(incident: Incident) -> str:
    """PagerDuty's dedup_key: one per incident, from its grouping key and number."""
    digest = hashlib.sha256(incident.key.encode()).hexdigest()[:16]
    return f"stargate-incident-{incident.pk}-{digest}"


def _incident_facts(incident: Incident) -> tuple[Facts, int]:
    rows = list(
        IncidentMember.objects.filter(incident=incident, recovered_at__isnull=True).values_list(
            "lab_instance__lab_id", "lab_instance__cluster_id", "lab_instance__lab__team_id"
        )
    )
    labs = {lab for lab, _, _ in rows} | ({incident.lab_id} if incident.lab_id else set())
    clusters = {c for _, c, _ in rows} | ({incident.cluster_id} if incident.cluster_id else set())
    teams = {team for _, _, team in rows if team is not None}
    if incident.lab is not None and incident.lab.team_id is not None:
        teams.add(incident.lab.team_id)
    facts = Facts(
        "incidents", incident.severity, frozenset(teams), frozenset(clusters), frozenset(labs)
    )
    return facts, len(rows)


def _incident_text(incident: Incident, change: str, labs: int) -> str:
    who = incident.acknowledged_by.get_username() if incident.acknowledged_by else "someone"
    texts = {
        "opened": f"Incident {incident.pk} opened: {labs} lab(s) share one cause.",
        "escalated": f"Incident {incident.pk} is now {incident.severity}: {labs} lab(s).",
        "acknowledged": f"Incident {incident.pk} acknowledged by {who}.",
    }
    if change == "resolved":
        cause = Cause(incident.resolution_cause).label if incident.resolution_cause else "?"
        return f"Incident {incident.pk} resolved ({cause}) after {incident.ttr_seconds or 0:.0f} s."
    return texts[change]


def incident_message(incident: Incident, change: str, labs: int) -> Message:
    fields = [
        ("Severity", f"{incident.severity} ({incident.severity_score:.1f})"),
        ("Rule", incident.get_kind_display()),
        ("Cluster", str(incident.cluster) if incident.cluster else "several"),
        ("Catalog item", str(incident.lab) if incident.lab else "several"),
        ("Class", incident.failure_class or "?"),
        ("Labs", str(labs)),
    ]
    return Message(
        change=change,
        title=f"Incident {incident.pk}: {incident.title}",
        severity=incident.severity,
        text=_incident_text(incident, change, labs),
        url=_link(incident.get_absolute_url()),
        fingerprint=fingerprint(incident),
        at=timezone.now(),
        source=incident.cluster.name if incident.cluster else "stargate",
        component=incident.lab.catalog_item if incident.lab else "",
        kind=incident.kind,
        fields=tuple(fields),
        details={"incident": incident.pk, "status": incident.status, "labs": labs},
    )


def _incident_change(change: str, incident: Incident, last: tuple[str, str] | None) -> str:
    """What a channel is told, given the last message it had about the incident ("": nothing).
    Acknowledged and resolved go only where the incident was announced."""
    if change in ("opened", "updated"):
        if last is None:
            return "opened" if change == "opened" else "escalated"
        last_change, last_severity = last
        rose = SEVERITY_RANK.get(incident.severity, 0) > SEVERITY_RANK.get(last_severity, 0)
        return "escalated" if rose and last_change not in ("resolved",) else ""
    if last is None or last[0] == "resolved" or last[0] == change:
        return ""
    return change


def incident_notifications_write(incident_id: int, change: str) -> list[Notification]:
    incident = Incident.objects.select_related("cluster", "lab", "acknowledged_by").get(
        pk=incident_id
    )
    last: dict[int, tuple[str, str]] = {}
    told = Notification.objects.filter(incident=incident).order_by("pk")
    for channel_id, told_change, severity in told.values_list("channel_id", "change", "severity"):
        last[channel_id] = (told_change, severity)
    facts, labs = _incident_facts(incident)
    if change in ("opened", "updated"):
        candidates = channels_routed(_routes("incidents"), facts)
    else:
        candidates = list(Channel.objects.filter(pk__in=list(last), enabled=True))
    rows: list[Notification] = []
    for channel in candidates:
        told_now = _incident_change(change, incident, last.get(channel.pk))
        if told_now:
            message = incident_message(incident, told_now, labs)
            rows += write([channel], message, group=f"incident-{incident.pk}", incident=incident)
    return rows


# --- approval requests -------------------------------------------------------------------------


def approval_message(request: ActionRequest) -> Message:
    lab_instance = request.lab_instance
    title = f"Approval needed: {request.action.action_id} on {lab_instance.namespace}"
    return Message(
        change="approval_requested",
        title=title,
        severity="",
        text=f"{request.reason or 'A remediation waits for a person.'}",
        url=_link(reverse("remediation:approval_queue")),
        fingerprint=f"stargate-approval-{request.pk}",
        at=timezone.now(),
        source=lab_instance.cluster.name,
        component=lab_instance.lab.catalog_item,
        kind="approval",
        fields=(
            ("Action", request.action.action_id),
            ("Lab", f"{lab_instance.cluster.name}/{lab_instance.namespace}"),
            ("Class", request.failure_class or "?"),
        ),
        details={"action_request": request.pk},
    )


def approval_notifications_write(request: ActionRequest) -> list[Notification]:
    request = ActionRequest.objects.select_related(
        "action", "lab_instance__cluster", "lab_instance__lab"
    ).get(pk=request.pk)
    lab = request.lab_instance.lab
    facts = Facts(
        "approvals",
        team_ids=frozenset([lab.team_id] if lab.team_id else []),
        cluster_ids=frozenset([request.lab_instance.cluster_id]),
        lab_ids=frozenset([lab.pk]),
    )
    channels = channels_routed(_routes("approvals"), facts)
    return write(
        channels, approval_message(request), group=f"approval-{request.pk}", action_request=request
    )


# --- events outside incidents ------------------------------------------------------------------


def event_notifications_write(event_ids: list[int]) -> list[Notification]:
    """A lab's (or cluster's) own event, when no open incident holds it: to the routed
    channels, in order per lab."""
    routes, rows = _routes("events"), []
    for event in events_to_tell(event_ids):
        channels = channels_routed(routes, event_facts(event))
        message = event_message(event, conf.public_url())
        rows += write(channels, message, group=event_group(event), event=event)
    return rows
