"""Pause switches and maintenance windows: reading them (for the gates and the header) and
changing them (audited). While one applies, nothing executes: the `paused` gate refuses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from labs.models import Cluster, Lab
from remediation.models import AuditEntry, MaintenanceWindow, RemediationPause

UI = "ui"


def _scope(cluster: Cluster | None) -> str:
    return f"on cluster {cluster.name}" if cluster else "globally"


def windows_open(*, now: dt.datetime) -> QuerySet[MaintenanceWindow]:
    return MaintenanceWindow.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related(
        "cluster", "lab"
    )


def pause_reason(*, cluster: Cluster, lab: Lab, now: dt.datetime) -> str:
    """Why remediation is paused for `lab` on `cluster` now, or "" when it is not."""
    switch = (
        RemediationPause.objects.filter(paused=True)
        .filter(Q(cluster__isnull=True) | Q(cluster=cluster))
        .select_related("cluster")
        .order_by(F("cluster_id").asc(nulls_first=True))  # the global switch first
        .first()
    )
    if switch is not None:
        why = f": {switch.reason}" if switch.reason else ""
        return f"remediation paused {_scope(switch.cluster)}{why}"
    window = (
        windows_open(now=now)
        .filter(Q(cluster__isnull=True) | Q(cluster=cluster))
        .filter(Q(lab__isnull=True) | Q(lab=lab))
        .first()
    )
    if window is not None:
        until = timezone.localtime(window.ends_at).strftime("%Y-%m-%d %H:%M %Z")
        return f"remediation paused: maintenance window until {until}: {window.reason}"
    return ""


@dataclass(frozen=True)
class PauseState:
    """What the header shows: the switches that are on and the windows open now."""

    switches: list[RemediationPause]
    windows: list[MaintenanceWindow]

    def __bool__(self) -> bool:
        return bool(self.switches or self.windows)


def pause_state(*, now: dt.datetime | None = None) -> PauseState:
    switches = RemediationPause.objects.filter(paused=True).select_related("cluster", "changed_by")
    return PauseState(
        switches=list(switches.order_by("cluster__name")),
        windows=list(windows_open(now=now or timezone.now())),
    )


def _switch_json(switch: RemediationPause) -> dict[str, Any]:
    return {"paused": switch.paused, "reason": switch.reason}


@transaction.atomic
def remediation_pause_set(
    *, cluster: Cluster | None, paused: bool, reason: str, user: User, source: str = UI
) -> RemediationPause:
    """Turn a switch on or off; audited with who, when, before and after."""
    switch, _ = RemediationPause.objects.select_for_update().get_or_create(cluster=cluster)
    before = _switch_json(switch)
    switch.paused, switch.reason = paused, reason
    switch.changed_by, switch.changed_at = user, timezone.now()
    switch.full_clean()
    switch.save()
    verb = "paused" if paused else "resumed"
    AuditEntry.objects.create(
        event=AuditEntry.Event.PAUSE,
        source=source,
        user=user,
        username=user.get_username(),
        intent=f"remediation {verb} {_scope(cluster)}" + (f": {reason}" if reason else ""),
        result={
            "scope": cluster.name if cluster else "global",
            "before": before,
            "after": _switch_json(switch),
        },
    )
    return switch


def window_json(window: MaintenanceWindow) -> dict[str, Any]:
    return {
        "id": window.pk,
        "cluster": window.cluster.name if window.cluster else None,
        "catalog_item": window.lab.catalog_item if window.lab else None,
        "starts_at": window.starts_at.isoformat(),
        "ends_at": window.ends_at.isoformat(),
        "reason": window.reason,
    }


def window_audit(
    *,
    label: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    user: User,
    source: str = UI,
) -> AuditEntry:
    verb = "added" if before is None else "removed" if after is None else "changed"
    return AuditEntry.objects.create(
        event=AuditEntry.Event.WINDOW,
        source=source,
        user=user,
        username=user.get_username(),
        intent=f"maintenance window {verb}: {label}",
        result={"before": before, "after": after},
    )


@transaction.atomic
def maintenance_window_create(
    *,
    cluster: Cluster | None,
    lab: Lab | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    reason: str,
    user: User,
    source: str = UI,
) -> MaintenanceWindow:
    window = MaintenanceWindow(
        cluster=cluster,
        lab=lab,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=user,
    )
    window.full_clean()
    window.save()
    window_audit(
        label=str(window), before=None, after=window_json(window), user=user, source=source
    )
    return window


@transaction.atomic
def maintenance_window_delete(*, window: MaintenanceWindow, user: User, source: str = UI) -> None:
    before, label = window_json(window), str(window)
    window.delete()
    window_audit(label=label, before=before, after=None, user=user, source=source)
