"""Keeping incidents in step with what fails now: one incident per root cause (see correlate)."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction

from incidents import conf
from incidents.correlate import ClusterFacts, Failing, Group, Thresholds, groups_find
from incidents.facts import class_action, class_severity, next_session_minutes
from incidents.models import Cause, Event, FailureRecord, Incident, IncidentMember, TimelineEntry
from incidents.severity import Factors, severity_of
from incidents.signals import incident_changed_on_commit
from labs.models import Cluster, Lab, LabInstance
from remediation.models import RemediationAction
from remediation.proposals import incident_action_request
from scanning.models import LabEvidence, NodeSnapshot
from stargate.counters import counter_add

logger = logging.getLogger(__name__)
OUTCOME_RANK = {"failed": 0, "warn": 1}
PROVISIONING_TYPES = (Event.Type.PROVISION_FAILED, Event.Type.SMOKE_TEST_FAILED)


def thresholds() -> Thresholds:
    return Thresholds(
        min_labs=conf.cluster_class_min_labs(),
        min_percent=conf.cluster_class_min_percent(),
        platform_clusters=conf.platform_min_clusters(),
        window=timedelta(minutes=conf.group_window_minutes()),
    )


def _placement(evidence: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    objects = evidence.get("objects") or {}
    nodes = {pod.get("spec", {}).get("nodeName") for pod in objects.get("pods") or []}
    vmis = objects.get("virtualmachineinstances") or []
    nodes |= {vmi.get("status", {}).get("nodeName") for vmi in vmis}
    classes = {
        pvc.get("spec", {}).get("storageClassName")
        for pvc in objects.get("persistentvolumeclaims") or []
    }
    return frozenset(n for n in nodes if n), frozenset(c for c in classes if c)


def _rank(row: tuple[Any, ...]) -> tuple[int, int, datetime]:
    """Failed before warn; then a cluster condition (`cluster-*`: a NotReady node, an
    unreachable API) before the lab symptoms it explains; then the oldest."""
    outcome, cls, detected = row[5], row[3], row[6]
    return (OUTCOME_RANK.get(outcome, 2), 0 if cls.startswith("cluster-") else 1, detected)


def failing_now() -> list[Failing]:
    """Each live lab's worst open failure (see `_rank`); a record whose lab is gone (null: its
    cluster was deleted) is no lab's, and `records_recycled` closes it."""
    records = FailureRecord.objects.filter(
        resolved_at__isnull=True,
        lab_instance__isnull=False,
        lab_instance__deleted_at__isnull=True,
    ).values_list(
        "lab_instance_id",
        "lab_instance__cluster_id",
        "lab_instance__lab_id",
        "failure_class",
        "rubric_id",
        "outcome",
        "detected_at",
    )
    worst: dict[int, tuple[Any, ...]] = {}
    for row in records:
        if row[0] not in worst or _rank(row) < _rank(worst[row[0]]):
            worst[row[0]] = row
    evidence = dict(
        LabEvidence.objects.filter(lab_instance_id__in=list(worst)).values_list(
            "lab_instance_id", "evidence"
        )
    )
    failing = []
    for pk, (_, cluster_id, lab_id, cls, rubric, _, detected) in worst.items():
        nodes, storage = _placement(evidence.get(pk) or {})
        failing.append(Failing(pk, cluster_id, lab_id, cls, rubric, detected, nodes, storage))
    return failing


def cluster_facts() -> dict[int, ClusterFacts]:
    labs: dict[int, list[int]] = {}
    for pk, cluster_id in LabInstance.objects.filter(deleted_at__isnull=True).values_list(
        "pk", "cluster_id"
    ):
        labs.setdefault(cluster_id, []).append(pk)
    bad: dict[int, set[str]] = {}
    for cluster_id, name, ready, pressure in NodeSnapshot.objects.values_list(
        "cluster_id", "name", "ready", "pressure"
    ):
        if not ready or pressure:
            bad.setdefault(cluster_id, set()).add(name)
    return {
        c.pk: ClusterFacts(
            c.pk, c.name, c.reachable, tuple(labs.get(c.pk, ())), frozenset(bad.get(c.pk, ()))
        )
        for c in Cluster.objects.filter(enabled=True)
    }


def provisioning_key(fingerprint: str) -> str:
    """`provision:<item>:<cluster>` and `smoke:<item>:<cluster>` share one incident key."""
    return "provisioning:" + fingerprint.split(":", 1)[-1]


def provisioning_groups(now: datetime) -> list[Group]:
    """Provisioning and smoke-test failures of one catalog item on one cluster within the
    window: `STARGATE_INCIDENTS_PROVISIONING_MIN_FAILURES` open an incident, which stays open
    while one is still in the window. Silenced failures do not count."""
    since = now - timedelta(minutes=conf.group_window_minutes())
    rows = Event.objects.filter(
        event_type__in=PROVISIONING_TYPES, at__gte=since, at__lte=now, silenced_by__isnull=True
    ).exclude(lab__isnull=True)
    found: dict[str, list[tuple[int, int | None, str, str]]] = {}
    for lab_id, cluster_id, name, cls, fingerprint in rows.values_list(
        "lab_id", "cluster_id", "metadata__cluster_name", "failure_class", "fingerprint"
    ):
        found.setdefault(provisioning_key(fingerprint), []).append(
            (lab_id, cluster_id, str(name or ""), cls)
        )
    open_keys = set(
        Incident.objects.filter(
            kind=Incident.Kind.PROVISIONING, status__in=Incident.OPEN_STATES
        ).values_list("key", flat=True)
    )
    groups = []
    for key, items in sorted(found.items()):
        if len(items) < conf.provisioning_min_failures() and key not in open_keys:
            continue
        last = items[-1]
        classes = Counter(cls for *_, cls in items)
        groups.append(
            Group(
                Incident.Kind.PROVISIONING,
                key,
                f"{len(items)} provisioning or smoke-test failures on {last[2] or 'a cluster'}",
                classes.most_common(1)[0][0],
                last[1],
                last[0],
            )
        )
    return groups


def _log(incident: Incident, at: datetime, kind: str, text: str) -> None:
    TimelineEntry.objects.create(incident=incident, at=at, kind=kind, text=text)


def _title(group: Group) -> str:
    if group.kind in ("catalog_item", "provisioning") and group.lab_id is not None:
        lab = Lab.objects.filter(pk=group.lab_id).first()
        return f"{lab}: {group.title}"
    return group.title


def _open(group: Group, now: datetime) -> tuple[Incident, bool]:
    """The open incident of `group`, and whether it is new (told once its members and
    severity are written, by `incidents_sync`)."""
    incident = Incident.objects.filter(key=group.key, status__in=Incident.OPEN_STATES).first()
    if incident is not None:
        return incident, False
    action = class_action(group.failure_class)
    if not RemediationAction.objects.filter(action_id=action, enabled=True).exists():
        action = ""
    incident = Incident.objects.create(
        kind=group.kind,
        key=group.key,
        title=_title(group)[:300],
        cluster_id=group.cluster_id,
        lab_id=group.lab_id,
        failure_class=group.failure_class,
        systemic=group.systemic,
        proposed_action=action,
        opened_at=now,
        updated_at=now,
    )
    _log(incident, now, "opened", f"opened: {incident.get_kind_display()}")
    counter_add("stargate_incidents_opened", {"kind": group.kind})
    return incident, True


def _member_cause(member: IncidentMember) -> str:
    record = (
        FailureRecord.objects.filter(
            lab_instance_id=member.lab_instance_id, resolved_at__gte=member.joined_at
        )
        .order_by("-resolved_at")
        .first()
    )
    return record.cause if record is not None else Cause.SELF_RESOLVED


def _members_sync(incident: Incident, group: Group, held: dict[int, int], now: datetime) -> bool:
    changed = False
    current = {m.lab_instance_id: m for m in incident.members.all()}
    for lab_instance_id, cls in group.members.items():
        if held.get(lab_instance_id, incident.pk) != incident.pk:
            continue  # part of another open incident already
        member = current.get(lab_instance_id)
        if member is None:
            if not _member_add(incident, lab_instance_id, cls, now):
                continue
            held[lab_instance_id] = incident.pk
            changed = True
        elif member.recovered_at is not None:
            member.recovered_at, member.cause = None, ""
            member.save(update_fields=["recovered_at", "cause"])
            changed = True
    for lab_instance_id, member in current.items():
        if lab_instance_id not in group.members and member.recovered_at is None:
            _member_recover(member, now)
            changed = True
    FailureRecord.objects.filter(
        lab_instance_id__in=list(group.members), resolved_at__isnull=True, incident__isnull=True
    ).update(incident=incident)
    return changed


def _member_add(incident: Incident, lab_instance_id: int, cls: str, now: datetime) -> bool:
    """False when the lab instance was deleted meanwhile (by another transaction)."""
    try:
        with transaction.atomic():
            IncidentMember.objects.create(
                incident=incident, lab_instance_id=lab_instance_id, failure_class=cls, joined_at=now
            )
    except IntegrityError:
        logger.info("incident %s: lab instance %s is gone", incident.pk, lab_instance_id)
        return False
    return True


def _member_recover(member: IncidentMember, now: datetime) -> None:
    member.recovered_at, member.cause = now, _member_cause(member)
    member.save(update_fields=["recovered_at", "cause"])


def _severity_update(incident: Incident, now: datetime) -> None:
    active = incident.members.filter(recovered_at__isnull=True).values_list(
        "lab_instance__lab_id", "lab_instance__cluster_id"
    )
    pairs = list(active)
    sessions = pairs
    if not pairs and incident.lab_id and incident.cluster_id:  # a catalog item's incident
        sessions = [(incident.lab_id, incident.cluster_id)]
    factors = Factors(
        class_severity(incident.failure_class),
        incident.systemic,
        next_session_minutes(sessions, now) if sessions else None,
        attendees=len(pairs),
        labs=len({lab for lab, _ in pairs}),
    )
    result = severity_of(factors)
    if result.level != incident.severity and incident.severity_factors:
        _log(incident, now, "severity", f"severity {incident.severity} → {result.level}")
    incident.severity, incident.severity_score = result.level, result.score
    incident.severity_factors = result.factors


def _resolve(incident: Incident, now: datetime) -> None:
    for member in incident.members.filter(recovered_at__isnull=True):
        _member_recover(member, now)
    causes = Counter(incident.members.exclude(cause="").values_list("cause", flat=True))
    if not causes:  # every member's lab was deleted (their rows with it): its failures tell
        causes = Counter(incident.failures.exclude(cause="").values_list("cause", flat=True))
    incident.status = Incident.Status.RESOLVED
    incident.resolved_at = now
    incident.resolution_cause = causes.most_common(1)[0][0] if causes else Cause.SELF_RESOLVED
    incident.ttr_seconds = (now - incident.opened_at).total_seconds()
    incident.updated_at = now
    incident.save()
    cause = Cause(incident.resolution_cause).label.lower()
    _log(incident, now, "resolved", f"resolved: {cause}, after {incident.ttr_seconds:.0f} s")
    incident_changed_on_commit(incident.pk, "resolved")


def _action_request(incident: Incident, now: datetime) -> bool:
    """Request the incident's proposed action once, on its first active member (the gates
    send it to approval as part of the incident); True when a request was made."""
    if not incident.proposed_action or incident.action_request_id is not None:
        return False
    member = incident.members.filter(recovered_at__isnull=True).order_by("pk").first()
    if member is None:
        return False
    try:  # its own savepoint: a request that cannot be made never stops the pipeline
        with transaction.atomic():
            request = incident_action_request(
                lab_instance=member.lab_instance,
                action_id=incident.proposed_action,
                failure_class=member.failure_class or incident.failure_class,
                incident_id=incident.pk,
            )
    except Exception:
        logger.exception("incident %s: its proposed action could not be requested", incident.pk)
        return False
    if request is None:
        return False
    incident.action_request = request
    text = f"requested {request.action.action_id} on {member.lab_instance}: {request.status}"
    _log(incident, now, "requested", f"{text} ({request.reason})" if request.reason else text)
    return True


def _group_sync(group: Group, held: dict[int, int], now: datetime) -> int | None:
    """Open or update the group's incident; its id when it changed."""
    incident, new = _open(group, now)
    grew = _members_sync(incident, group, held, now)
    grew = _action_request(incident, now) or grew
    before = (incident.severity, incident.severity_score)
    _severity_update(incident, now)
    if not (new or grew or before != (incident.severity, incident.severity_score)):
        return None
    incident.updated_at = now
    incident.save()
    incident_changed_on_commit(incident.pk, "opened" if new else "updated")
    return incident.pk


def incidents_sync(now: datetime) -> list[int]:
    """Open, grow, shrink and resolve incidents; returns the ids of those that changed."""
    groups = groups_find(failing_now(), cluster_facts(), now=now, thresholds=thresholds())
    groups += provisioning_groups(now)
    held = dict(
        IncidentMember.objects.filter(
            recovered_at__isnull=True, incident__status__in=Incident.OPEN_STATES
        ).values_list("lab_instance_id", "incident_id")
    )
    changed: list[int] = []
    for group in groups:
        taken = dict(held)
        try:  # its own savepoint: a group that fails never stops the others
            with transaction.atomic():
                pk = _group_sync(group, taken, now)
        except Exception:
            logger.exception("incident pipeline: group %s could not be synced", group.key)
            continue
        held = taken
        if pk is not None:
            changed.append(pk)
    found = {group.key for group in groups}
    for incident in Incident.objects.filter(status__in=Incident.OPEN_STATES).exclude(key__in=found):
        _resolve(incident, now)
        changed.append(incident.pk)
    return changed
