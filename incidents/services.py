"""Writes on incidents by people (acknowledge, assign, notes) and silences."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from incidents.broadcast import incidents_changed_on_commit
from incidents.models import Incident, Silence, TimelineEntry
from incidents.signals import incident_changed_on_commit
from labs.models import Cluster, Lab, Team


def _touch(incident: Incident, user: User, kind: str, text: str) -> None:
    now = timezone.now()
    incident.updated_at = now
    incident.save()
    TimelineEntry.objects.create(incident=incident, at=now, kind=kind, text=text, user=user)
    incident_changed_on_commit(incident.pk, kind)
    incidents_changed_on_commit([incident.pk])


@transaction.atomic
def incident_acknowledge(*, incident: Incident, user: User) -> bool:
    """Acknowledge an open incident; False when it is not open (resolved or acknowledged)."""
    if incident.status != Incident.Status.OPEN:
        return False
    incident.status = Incident.Status.ACKNOWLEDGED
    incident.acknowledged_at, incident.acknowledged_by = timezone.now(), user
    _touch(incident, user, "acknowledged", f"acknowledged by {user.get_username()}")
    return True


@transaction.atomic
def incident_assign(*, incident: Incident, assignee: User | None, user: User) -> None:
    incident.assignee = assignee
    who = assignee.get_username() if assignee else "nobody"
    _touch(incident, user, "assigned", f"assigned to {who} by {user.get_username()}")


@transaction.atomic
def incident_note_add(*, incident: Incident, text: str, user: User) -> None:
    _touch(incident, user, "noted", f"{user.get_username()}: {text}")


def silence_create(
    *,
    reason: str,
    expires_at: datetime,
    user: User | None,
    cluster: Cluster | None = None,
    lab: Lab | None = None,
    team: Team | None = None,
    failure_class: str = "",
    starts_at: datetime | None = None,
) -> Silence:
    if not (cluster or lab or team or failure_class):
        raise ValueError("a silence needs a cluster, a catalog item, a team or a class")
    starts_at = starts_at or timezone.now()
    if expires_at <= starts_at:
        raise ValueError("a silence expires after it starts")
    return Silence.objects.create(
        reason=reason,
        expires_at=expires_at,
        starts_at=starts_at,
        created_by=user,
        cluster=cluster,
        lab=lab,
        team=team,
        failure_class=failure_class,
    )


def silence_expire(*, silence: Silence) -> None:
    """End a silence now."""
    now = timezone.now()
    silence.starts_at = min(silence.starts_at, now - timedelta(seconds=1))
    silence.expires_at = now
    silence.save(update_fields=["starts_at", "expires_at"])
