"""The event pipeline's stages, in order: filter (routine passes, flapping, silences),
deduplicate, correlate, triage, impact (platform-contracts 20.3-20.5). Each reads persisted
events only, so state survives restarts and is shared by workers. A filtered event is stored
and goes no further."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from incidents import conf
from incidents.facts import class_severity, next_session_minutes
from incidents.ingest import new_event_id
from incidents.models import Event, Silence
from incidents.severity import Factors, severity_of

LAB_FAILURES = (Event.Type.FAILED, Event.Type.WARNED)
VERDICTS = (*LAB_FAILURES, Event.Type.PASSED, Event.Type.RESOLVED)
# Repeats of one of these with the same fingerprint within the window are duplicates.
REPEATED = (
    Event.Type.PROVISION_FAILED,
    Event.Type.SMOKE_TEST_FAILED,
    Event.Type.TEARDOWN_STUCK,
    Event.Type.COLLECTOR_DEGRADED,
)
# A collector's state changes flap like a lab's verdicts (its fingerprint is the collector).
STATE_CHANGES = (Event.Type.COLLECTOR_DEGRADED, Event.Type.COLLECTOR_HEALTHY)
# The other apps' events (incidents.feeds): outside the lab verdicts' correlation and impact.
OTHER_APPS = (
    *REPEATED,
    Event.Type.COLLECTOR_HEALTHY,
    Event.Type.RECOMMENDATION_RAISED,
    Event.Type.RECOMMENDATION_RESOLVED,
    Event.Type.CLASSIFIED,
    Event.Type.INVESTIGATION_COMPLETED,
)
NOTIFIABLE = (
    Event.Type.FAILED,
    Event.Type.WARNED,
    Event.Type.FLAPPING,
    Event.Type.CLUSTER_DEGRADED,
    Event.Type.SCAN_FAULT,
    Event.Type.REMEDIATION_FAILED,
    *REPEATED,
    Event.Type.RECOMMENDATION_RAISED,
    Event.Type.CLASSIFIED,
    Event.Type.INVESTIGATION_COMPLETED,
)


def _filter(event: Event, reason: str) -> None:
    event.filtered, event.filter_reason = True, reason


def _previous(event: Event) -> Event | None:
    if event.lab_instance_id is None:
        return None
    return (
        Event.objects.filter(
            lab_instance_id=event.lab_instance_id,
            rubric_id=event.rubric_id,
            event_type__in=VERDICTS,
        )
        .order_by("-at", "-pk")
        .first()
    )


def routine_pass(event: Event) -> None:
    """A pass after a pass (or a first pass) is routine; after a failure it is `issue.resolved`."""
    if event.event_type != Event.Type.PASSED:
        return
    previous = _previous(event)
    if previous is None or previous.event_type in (Event.Type.PASSED, Event.Type.RESOLVED):
        _filter(event, "routine pass")
        return
    event.event_type = Event.Type.RESOLVED
    event.failure_class = previous.failure_class
    event.metadata = {**event.metadata, "previous_outcome": previous.outcome}


def _flap_scope(event: Event) -> Q | None:
    if event.event_type in STATE_CHANGES:
        return Q(
            fingerprint=event.fingerprint, event_type__in=[*STATE_CHANGES, Event.Type.FLAPPING]
        )
    if event.lab_instance_id is None or not event.rubric_id or event.event_type not in VERDICTS:
        return None
    return Q(lab_instance_id=event.lab_instance_id, rubric_id=event.rubric_id) & Q(
        event_type__in=[*VERDICTS, Event.Type.FLAPPING]
    )


def flapping(event: Event) -> Event | None:
    """N changes of one lab's rubric (or one collector's state) within M minutes fold into one
    `lab.flapping` event (returned to be stored); the changes themselves are filtered while it
    flaps."""
    match = _flap_scope(event)
    if match is None:
        return None
    since = event.at - timedelta(minutes=conf.flap_window_minutes())
    scope = Event.objects.filter(match, at__gte=since)
    changes = scope.exclude(event_type=Event.Type.FLAPPING).count() + 1
    if changes < conf.flap_changes():
        return None
    _filter(event, "flapping")
    event.flapping = True
    if scope.filter(event_type=Event.Type.FLAPPING).exists():
        return None
    return Event(
        event_id=new_event_id(),
        source=f"flap:{event.source}",
        event_type=Event.Type.FLAPPING,
        at=event.at,
        lab_instance_id=event.lab_instance_id,
        cluster_id=event.cluster_id,
        rubric_id=event.rubric_id,
        outcome=event.outcome,
        failure_class=event.failure_class,
        message=f"{changes} changes in {conf.flap_window_minutes()} min",
        fingerprint=event.fingerprint,
        flapping=True,
        metadata={"changes": changes, "window_minutes": conf.flap_window_minutes()},
    )


def silence_for(event: Event, now: datetime) -> Silence | None:
    lab_id = team_id = None
    if event.lab_instance is not None:
        lab_id = event.lab_instance.lab_id
        team_id = event.lab_instance.lab.team_id
    elif event.lab is not None:  # a catalog item's event (a provisioning failure)
        lab_id, team_id = event.lab_id, event.lab.team_id
    active = Silence.objects.filter(starts_at__lte=now, expires_at__gt=now)
    matches = (
        (Q(cluster__isnull=True) | Q(cluster_id=event.cluster_id))
        & (Q(lab__isnull=True) | Q(lab_id=lab_id))
        & (Q(team__isnull=True) | Q(team_id=team_id))
        & (Q(failure_class="") | Q(failure_class=event.failure_class))
    )
    return active.filter(matches).order_by("pk").first()


def silence(event: Event, now: datetime) -> None:
    found = silence_for(event, now)
    if found is not None:
        event.silenced_by = found
        _filter(event, f"silenced: {found.reason}")


def deduplicate(event: Event) -> None:
    """A failure seen with the same fingerprint (lab, rubric, class) within the window; for the
    other sources' failures, the same type and fingerprint (catalog item and cluster, collector
    or recommendation)."""
    if event.event_type in LAB_FAILURES and event.failure_class:
        types: tuple[str, ...] = LAB_FAILURES
    elif event.event_type in REPEATED and event.fingerprint:
        types = (event.event_type,)
    else:
        return
    since = event.at - timedelta(seconds=conf.dedup_window_seconds())
    seen = Event.objects.filter(
        fingerprint=event.fingerprint,
        event_type__in=types,
        deduplicated=False,
        at__gte=since,
    ).exists()
    if seen:
        event.deduplicated = True
        _filter(event, "duplicate within the window")


def correlate(event: Event) -> None:
    """Cluster-systemic and cross-cluster patterns (20.3)."""
    if event.event_type not in LAB_FAILURES or not event.failure_class or not event.cluster_id:
        return
    recent = list(
        Event.objects.filter(cluster_id=event.cluster_id)
        .exclude(failure_class="")
        .exclude(event_type__in=OTHER_APPS)
        .order_by("-at", "-pk")
        .values_list("failure_class", flat=True)[:100]
    )
    total = len(recent) + 1
    same = sum(1 for cls in recent if cls == event.failure_class) + 1
    correlation: dict[str, object] = {}
    if total > 5 and same / total > 0.20:
        event.systemic = event.correlated = True
        correlation = {"same_class_count": same, "total_events": total, "rate": same / total}
        correlation["pattern"] = "systemic_cluster"
    seen = Event.objects.filter(
        failure_class=event.failure_class,
        event_type__in=LAB_FAILURES,
        at__gte=event.at - timedelta(minutes=60),
        cluster__isnull=False,
    ).values_list("cluster_id", flat=True)
    clusters = {pk for pk in seen if pk is not None} | {event.cluster_id}
    if len(clusters) > 1:
        event.correlated = True
        correlation.update(cross_cluster=True, clusters_affected=sorted(clusters))
        if len(clusters) >= 3:
            event.systemic = True
            correlation["pattern"] = "platform_issue"
    if correlation:
        event.metadata = {**event.metadata, "correlation": correlation}


def triage(event: Event, now: datetime) -> None:
    if event.event_type not in LAB_FAILURES:
        return
    minutes = None
    if event.lab_instance is not None:
        pair = (event.lab_instance.lab_id, event.lab_instance.cluster_id)
        minutes = next_session_minutes([pair], now)
    result = severity_of(Factors(class_severity(event.failure_class), event.systemic, minutes))
    event.priority = round(min(result.score, 10.0), 1)
    event.metadata = {
        **event.metadata,
        "severity_score": result.score,
        "triage_level": result.level,
        "next_session_in_min": minutes,
    }


def impact(event: Event) -> None:
    if event.event_type not in LAB_FAILURES or event.priority < 5 or not event.cluster_id:
        return
    rows: list[tuple[int | None, str]] = list(
        Event.objects.filter(cluster_id=event.cluster_id, lab_instance__isnull=False)
        .exclude(event_type__in=OTHER_APPS)
        .order_by("-at", "-pk")
        .values_list("lab_instance_id", "outcome")[:200]
    )
    rows.append((event.lab_instance_id, event.outcome))
    total = {lab for lab, _ in rows}
    failing = {lab for lab, outcome in rows if outcome == "failed"}
    rate = round(100 * len(failing) / len(total), 1) if total else 0.0
    blast = {"failing_labs": len(failing), "total_labs": len(total), "failure_rate": rate}
    event.metadata = {**event.metadata, "blast_radius": {**blast, "cluster": event.cluster_id}}
    if len(failing) > 10 or rate > 30:
        reason = f"{len(failing)} of {len(total)} labs failing"
        event.metadata = {**event.metadata, "escalate": True, "escalation_reason": reason}


def event_process(event: Event, now: datetime) -> list[Event]:
    """Run the stages on `event` (unsaved); returns it and the flapping event it may fold into."""
    routine_pass(event)
    if event.filtered:
        return [event]
    folded = flapping(event)
    if folded is not None:
        silence(folded, now)
        folded.notify = not folded.filtered
    extra = [folded] if folded is not None else []
    if not event.filtered:
        silence(event, now)
    if not event.filtered:
        deduplicate(event)
    if not event.filtered:
        correlate(event)
        triage(event, now)
        impact(event)
    event.notify = not event.filtered and event.event_type in NOTIFIABLE
    return [event, *extra]
