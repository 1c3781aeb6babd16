"""Remediation writes: requests, decisions, expiry and rate slots. Execution is in execution.py."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from forecasting.selectors import session_running
from incidents.selectors import open_incident_for
from labs.models import LabInstance
from remediation import broadcast, conf
from remediation.audit import audit_entry_record
from remediation.catalog import parameters_validate
from remediation.current import decision_now
from remediation.gates import Decision, GateInput, GateResult, Outcome, approval_blockers, decide
from remediation.models import ActionRequest, AuditEntry, RateCounter, RemediationAction
from remediation.pauses import pause_reason
from remediation.signals import approval_requested
from stargate.configaudit import config_rows_update

logger = logging.getLogger(__name__)
Status = ActionRequest.Status
_STATUS_FOR = {
    Outcome.EXECUTE: Status.APPROVED,
    Outcome.APPROVAL: Status.PENDING,
    Outcome.RECOMMEND: Status.RECOMMENDED,
    Outcome.REFUSE: Status.REJECTED,
    Outcome.OBSOLETE: Status.OBSOLETE,
}


class ActionAlreadyDecided(Exception):
    def __init__(self, action_request: ActionRequest) -> None:
        super().__init__(f"request {action_request.pk} was already decided")
        self.action_request = action_request


class RateLimitReached(Exception):
    """An approval would exceed the lab's or the cluster's hourly limit: it stays pending."""

    def __init__(self, action_request: ActionRequest) -> None:
        super().__init__(f"request {action_request.pk}: hourly action limit reached")
        self.action_request = action_request


class GateRefused(Exception):
    """A gate on current state refuses the approval (or the failure cleared: `obsolete`)."""

    def __init__(self, action_request: ActionRequest, blockers: tuple[GateResult, ...]) -> None:
        self.action_request = action_request
        self.blockers = blockers
        self.obsolete = any(b.outcome == Outcome.OBSOLETE for b in blockers)
        super().__init__(refusal_reason(blockers))


def refusal_reason(blockers: tuple[GateResult, ...]) -> str:
    return "; ".join(blocker.reason for blocker in blockers)


class _OverLimit(Exception):
    pass


def rate_slot_claim(*, lab_instance: LabInstance, now: dt.datetime | None = None) -> bool:
    """Take one action slot this hour for the lab and its cluster, or neither.

    The conditional UPDATE (`count < limit`) is re-checked by PostgreSQL after the row lock, so
    concurrent workers in different processes can never exceed a limit together.
    """
    window = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    limits = [
        (f"lab-{lab_instance.lab_id}", lab_instance.lab.max_actions_per_hour),
        (f"cluster-{lab_instance.cluster_id}", conf.max_actions_per_cluster_hour()),
    ]
    try:
        with transaction.atomic():
            for key, limit in limits:
                RateCounter.objects.bulk_create(
                    [RateCounter(key=key, window_start=window)], ignore_conflicts=True
                )
                claimed = RateCounter.objects.filter(
                    key=key, window_start=window, count__lt=limit
                ).update(count=F("count") + 1)
                if claimed != 1:
                    raise _OverLimit(key)
    except _OverLimit:
        return False
    return True


def _anarchy_state(evidence: dict[str, Any]) -> str | None:
    """From a scan's evidence (objects.anarchysubjects) or a request's snapshot."""
    subjects = (
        (evidence.get("objects") or {}).get("anarchysubjects")
        or evidence.get("anarchysubjects")
        or []
    )
    for subject in subjects:
        state = subject.get("spec", {}).get("vars", {}).get("current_state")
        if state:
            return str(state)
    return None


def _gate_input(
    *,
    lab_instance: LabInstance,
    action: RemediationAction,
    failure_class: str,
    evidence: dict[str, Any],
    confirmed: bool,
    now: dt.datetime,
) -> GateInput:
    health = evidence.get("cluster_health") or {}
    running = session_running(lab=lab_instance.lab, now=now, cluster=lab_instance.cluster)
    return GateInput(
        action=action.definition(),
        namespace=lab_instance.namespace,
        allowed_prefixes=settings.REMEDIATION_ALLOWED_PREFIXES,
        execution_mode=lab_instance.lab.execution_mode,
        failure_class=failure_class,
        confirmed=confirmed,
        anarchy_state=_anarchy_state(evidence),
        session_running=running,
        cluster_reachable=health.get("reachable", lab_instance.cluster.reachable),
        lab_stale=bool(evidence.get("stale")),
        action_enabled=action.enabled,
        paused=pause_reason(cluster=lab_instance.cluster, lab=lab_instance.lab, now=now),
        incident=open_incident_for(lab_instance),
    )


@transaction.atomic
def action_request_create(
    *,
    lab_instance: LabInstance,
    action: RemediationAction,
    failure_class: str,
    parameters: dict[str, Any],
    evidence: dict[str, Any] | None = None,
    confirmed: bool = True,
    source: str = ActionRequest.Source.AUTO,
    requested_by: User | None = None,
    now: dt.datetime | None = None,
    fingerprint: str = "",
    note: str = "",
) -> ActionRequest:
    """Run the gates and record the request; an EXECUTE decision is queued to run after commit.

    One open request per lab instance, action and failure `fingerprint`: while one is approved or
    executing, it is returned as it is; a recommended, pending or gate-refused one is refreshed
    (its last-seen time; its decision, audited, only when the gates now decide otherwise). A
    request without a fingerprint (a person's) returns any pending one for the lab and action.
    Whether a session is running is looked up here (forecasting sessions), so no caller can
    forget it. `note`: the requester's reason (a person's request), kept in the audit entry.
    """
    evidence, now = evidence or {}, now or timezone.now()
    open_request = _open_request(lab_instance, action, fingerprint)
    if open_request is not None and not _refreshable(open_request, fingerprint):
        return open_request
    clean = parameters_validate(action.definition(), parameters)
    data = _gate_input(
        lab_instance=lab_instance,
        action=action,
        failure_class=failure_class,
        evidence=evidence,
        confirmed=confirmed,
        now=now,
    )
    decision = decide(data)
    if decision.outcome == Outcome.EXECUTE:
        slot = rate_slot_claim(lab_instance=lab_instance, now=now)
        decision = decide(GateInput(**{**data.__dict__, "rate_slot": slot}))
    if open_request is not None:
        return _request_refresh(open_request, decision, clean, evidence, now, confirmed=confirmed)
    return _request_record(
        lab_instance=lab_instance,
        action=action,
        failure_class=failure_class,
        parameters=clean,
        evidence=evidence,
        confirmed=confirmed,
        decision=decision,
        source=source,
        requested_by=requested_by,
        fingerprint=fingerprint,
        last_seen_at=now,
        note=note,
    )


# Refused by the gates when requested (not by a person, not at execution): refreshed like an
# open request, so that a refusal that holds adds no row per pass.
_REFUSED_BY_GATES = Q(
    status=Status.REJECTED,
    decided_by__isnull=True,
    started_at__isnull=True,
    finished_at__isnull=True,
)


def _open_request(
    lab_instance: LabInstance, action: RemediationAction, fingerprint: str
) -> ActionRequest | None:
    requests = ActionRequest.objects.filter(lab_instance=lab_instance, action=action)
    # Run, or run and still being verified (or run with nothing to verify) for this same
    # failure: the same action again would race its own fix, or repeat it.
    done = Q(status=Status.SUCCEEDED, recovered__isnull=True)
    verifying = done & (
        Q(verify_next_at__isnull=False) | (Q(fingerprint=fingerprint) if fingerprint else Q())
    )
    in_flight = requests.filter(Q(status__in=ActionRequest.IN_FLIGHT) | verifying).first()
    if in_flight is not None:
        return in_flight
    if not fingerprint:
        return requests.filter(status=Status.PENDING).first()
    refreshable = Q(status__in=[Status.RECOMMENDED, Status.PENDING]) | _REFUSED_BY_GATES
    return requests.filter(refreshable, fingerprint=fingerprint).order_by("-created_at").first()


def _refreshable(request: ActionRequest, fingerprint: str) -> bool:
    settled = (*ActionRequest.IN_FLIGHT, Status.SUCCEEDED)
    return bool(fingerprint) and request.status not in settled


def _request_refresh(
    request: ActionRequest,
    decision: Decision,
    parameters: dict[str, Any],
    evidence: dict[str, Any],
    now: dt.datetime,
    *,
    confirmed: bool,
) -> ActionRequest:
    """The failure is still there: note it, and redecide only when the gates changed their
    mind (or the parameters moved, e.g. another pod crashlooping). Conditional on the status
    the pass read, so a person deciding meanwhile wins. `confirmed` is always the caller's now:
    a human who accepted the model's class since confirmed it, and the gates at acting read it."""
    status = _STATUS_FOR[decision.outcome]
    same = status == request.status and parameters == request.parameters
    fields: dict[str, Any] = {"last_seen_at": now, "evidence": evidence, "confirmed": confirmed}
    if not same:
        ttl = dt.timedelta(minutes=conf.approval_ttl_minutes())
        fields |= {
            "status": status,
            "decision": decision.reasons,
            "reason": decision.summary,
            "parameters": parameters,
            "expires_at": now + ttl if status == Status.PENDING else None,
            # The gates decided it now: the basis of an approved request's timeout.
            "decided_at": now if status == Status.APPROVED else request.decided_at,
        }
    current = ActionRequest.objects.filter(pk=request.pk, status=request.status)
    if not current.update(**fields):
        request.refresh_from_db()
        return request
    old = request.status
    request.refresh_from_db()
    if same:
        return request
    audit_entry_record(
        request,
        AuditEntry.Event.REDECIDED,
        intent=f"{old} -> {status}: {decision.summary}",
        gates=decision.reasons,
        parameters=parameters,
        ok=status != Status.REJECTED,
    )
    if status == Status.APPROVED:
        _execute_on_commit(request)
    if Status.PENDING in (old, status):
        broadcast.approval_changed_on_commit(request.pk)
    if status == Status.PENDING and old != Status.PENDING:
        approval_requested.send(sender=ActionRequest, action_request=request)
    return request


def _request_record(
    *,
    lab_instance: LabInstance,
    action: RemediationAction,
    failure_class: str,
    parameters: dict[str, Any],
    evidence: dict[str, Any],
    confirmed: bool,
    decision: Decision,
    source: str,
    requested_by: User | None,
    fingerprint: str,
    last_seen_at: dt.datetime,
    note: str = "",
) -> ActionRequest:
    status = _STATUS_FOR[decision.outcome]
    pending = status == Status.PENDING
    ttl = dt.timedelta(minutes=conf.approval_ttl_minutes())
    request = ActionRequest(
        lab_instance=lab_instance,
        action=action,
        failure_class=failure_class,
        parameters=parameters,
        evidence=evidence,
        confirmed=confirmed,
        source=source,
        fingerprint=fingerprint,
        last_seen_at=last_seen_at,
        status=status,
        decision=decision.reasons,
        reason=decision.summary,
        expires_at=timezone.now() + ttl if pending else None,
        requested_by=requested_by,
    )
    request.full_clean()
    request.save()
    audit_entry_record(
        request,
        AuditEntry.Event.REQUESTED,
        user=requested_by,
        intent=f"{request}: {note}" if note else str(request),
        gates=decision.reasons,
        parameters=request.parameters,
        ok=status != Status.REJECTED,
    )
    if status == Status.APPROVED:
        _execute_on_commit(request)
    if pending:
        broadcast.approval_changed_on_commit(request.pk)
        approval_requested.send(sender=ActionRequest, action_request=request)
    return request


def _execute_on_commit(request: ActionRequest) -> None:
    from django_q.tasks import async_task

    pk = request.pk
    transaction.on_commit(lambda: async_task("remediation.tasks.execute_action", pk))


def action_request_approve(
    *,
    action_request: ActionRequest,
    approver: User,
    reason: str = "",
    source: str = ActionRequest.Source.UI,
) -> ActionRequest:
    """Approve a pending request after re-running every gate on current state.

    A human answers only the gates that ask one (risk, confidence): any other gate that does
    not pass raises GateRefused, audited, with the request left pending (or made `obsolete`
    when the failure cleared). Over the hourly limits it raises RateLimitReached, pending.
    """
    with transaction.atomic():
        refused = _approval_refuse(action_request, approver, source)
        if refused is None:
            return _decide(action_request, approver, reason, source, Status.APPROVED)
    raise refused  # after the refusal's audit entry has been committed


@transaction.atomic
def action_request_reject(
    *,
    action_request: ActionRequest,
    approver: User,
    reason: str = "",
    source: str = ActionRequest.Source.UI,
) -> ActionRequest:
    return _decide(action_request, approver, reason, source, Status.REJECTED)


def _approval_refuse(request: ActionRequest, user: User, source: str) -> GateRefused | None:
    now = timezone.now()
    current = ActionRequest.objects.filter(pk=request.pk, status=Status.PENDING, expires_at__gt=now)
    if not current.exists():
        return None  # _decide answers ActionAlreadyDecided
    blockers = approval_blockers(decision_now(request, now))
    if not blockers:
        return None
    request_refuse(request, blockers, user=user, source=source, when="approval")
    request.refresh_from_db()
    return GateRefused(request, blockers)


def request_refuse(
    request: ActionRequest,
    blockers: tuple[GateResult, ...],
    *,
    user: User | None,
    source: str,
    when: str,
) -> bool:
    """Record a gate's refusal at `when` ("approval" or "execution"), audited with the reasons.

    A cleared failure makes the request `obsolete`; otherwise a pending request stays pending
    (the gate may open again) and an approved one is rejected. Returns False when the request
    was no longer open (someone else moved it first).
    """
    reason = f"refused at {when}: {refusal_reason(blockers)}"
    obsolete = any(b.outcome == Outcome.OBSOLETE for b in blockers)
    status = Status.OBSOLETE if obsolete else Status.REJECTED
    rows = ActionRequest.objects.filter(pk=request.pk, status__in=[Status.PENDING, Status.APPROVED])
    if obsolete or when == "execution":
        moved = rows.update(status=status, reason=reason, finished_at=timezone.now())
    else:
        moved = rows.update(reason=reason)
    if not moved:
        return False
    request.refresh_from_db()
    event = AuditEntry.Event.OBSOLETE if obsolete else AuditEntry.Event.REFUSED
    audit_entry_record(
        request,
        event,
        user=user,
        source=source,
        ok=False,
        intent=reason,
        gates=[b.as_dict() for b in blockers],
        parameters=request.parameters,
    )
    broadcast.approval_changed_on_commit(request.pk)
    return True


def _decide(
    request: ActionRequest, user: User, reason: str, source: str, status: str
) -> ActionRequest:
    now = timezone.now()
    claimed = ActionRequest.objects.filter(
        pk=request.pk, status=Status.PENDING, expires_at__gt=now
    ).update(status=status, decided_by=user, decided_at=now, reason=reason)
    request.refresh_from_db()
    if claimed != 1:
        # Someone else decided first, or it expired: the queue row the user saw is stale.
        raise ActionAlreadyDecided(request)
    if status == Status.APPROVED and not rate_slot_claim(
        lab_instance=request.lab_instance, now=now
    ):
        # The blast radius holds for people too (programs approve through the API). Raising
        # rolls the decision back: the request stays pending until a slot frees or it expires.
        raise RateLimitReached(request)
    event = AuditEntry.Event.APPROVED if status == Status.APPROVED else AuditEntry.Event.REJECTED
    audit_entry_record(
        request, event, user=user, source=source, intent=reason, parameters=request.parameters
    )
    if status == Status.APPROVED:
        _execute_on_commit(request)
    broadcast.approval_changed_on_commit(request.pk)
    return request


@transaction.atomic
def action_requests_expire(*, now: dt.datetime | None = None) -> int:
    """Expire pending requests past their deadline. The safe default is to do nothing."""
    now = now or timezone.now()
    expired = 0
    for pk in ActionRequest.objects.filter(status=Status.PENDING, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        if ActionRequest.objects.filter(pk=pk, status=Status.PENDING).update(
            status=Status.EXPIRED, reason="expired without a decision: nothing was done"
        ):
            request = ActionRequest.objects.get(pk=pk)
            audit_entry_record(request, AuditEntry.Event.EXPIRED, intent=request.reason)
            broadcast.approval_changed_on_commit(pk)
            expired += 1
    return expired


def catalog_apply(*, rows: list[dict[str, Any]]) -> None:
    """Upsert catalog rows; actions gone from the YAML are disabled, never deleted (audit)."""
    with transaction.atomic():
        for row in rows:
            RemediationAction.objects.update_or_create(
                action_id=row["action_id"], defaults={**row, "enabled": True}
            )
        ids = [row["action_id"] for row in rows]
        gone = RemediationAction.objects.exclude(action_id__in=ids).filter(enabled=True)
        config_rows_update(gone, enabled=False)  # through save(): each one is audited


@transaction.atomic
def remediation_action_risk_set(*, action: RemediationAction, risk: str, user: User) -> None:
    """A human confirms a graduation or demotion. The row changes now; `load_catalog` lists it
    as a difference until remediations/catalog.yaml is changed the same way (the reviewed copy)."""
    old = action.risk
    action.risk = risk
    action.full_clean()
    action.save(update_fields=["risk", "updated_at"])
    logger.warning("%s risk %s -> %s confirmed by %s", action.action_id, old, risk, user)
