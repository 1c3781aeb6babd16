"""After an action: re-check the lab, record whether it recovered, roll back or escalate.

Kubernetes actions are verified by re-scanning the namespace through the scan's own path (the
full evidence a scan assembles, evaluated and recorded: remediation.recheck); Anarchy actions by
the subject reaching its desired state.

A check that cannot reach the cluster, or breaks in any other way, counts as "not yet
recovered": the next check is scheduled, and past the deadline the action is escalated (and
rolled back when it can be), audited with the last check's reason. One broken check never stops
the others.

No worker waits for the window: each check is one probe, run by a one-off django-q2 Schedule
(`next_run` one interval later) and, as a safety net for a lost schedule, by the periodic
`verify_due` task. A check claims the request by moving `verify_next_at` forward with a
conditional UPDATE, and the outcome is recorded only while `recovered` is still unknown, so
two checks at once record it once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from remediation import broadcast, conf
from remediation.audit import audit_entry_record
from remediation.execution import execution_context
from remediation.executors import executor_for
from remediation.executors.base import ExecutionContext
from remediation.executors.custom import custom_object_get
from remediation.executors.rhdp_anarchy import GROUP, PLURAL, VERSION
from remediation.models import ActionRequest, AuditEntry
from remediation.recheck import Recheck, lab_recheck
from stargate.lib.redact import redact_text

logger = logging.getLogger(__name__)
Probe = Callable[[ActionRequest, ExecutionContext], "bool | Recheck"]


def lab_recovered(request: ActionRequest, context: ExecutionContext) -> Recheck:
    return lab_recheck(request.lab_instance)


def anarchy_settled(request: ActionRequest, context: ExecutionContext) -> Recheck:
    subject = custom_object_get(
        context.cluster,
        GROUP,
        VERSION,
        str(context.parameters["subject_namespace"]),
        PLURAL,
        str(context.parameters["subject"]),
    )
    current = subject.get("spec", {}).get("vars", {}).get("current_state")
    desired = context.parameters["desired_state"]
    return Recheck(current == desired, f"the subject is {current!r}, not {desired!r}")


PROBES: dict[str | None, Probe] = {"kubernetes": lab_recovered, "rhdp_anarchy": anarchy_settled}


def _probe(request: ActionRequest) -> Probe | None:
    method = request.action.method or None
    return PROBES.get(method)


def verification_schedule(*, action_request: ActionRequest, now: dt.datetime | None = None) -> None:
    """Start verifying a succeeded action: the first check one interval from now."""
    if action_request.status != ActionRequest.Status.SUCCEEDED:
        return
    if "recorded_only" in action_request.result or _probe(action_request) is None:
        return  # nothing observable to verify (pool sizes, sandbox API placements)
    now = now or timezone.now()
    window = dt.timedelta(seconds=conf.verify_window_seconds())
    next_at = now + min(window, dt.timedelta(seconds=conf.verify_interval_seconds()))
    ActionRequest.objects.filter(pk=action_request.pk).update(
        verify_deadline=now + window, verify_next_at=next_at
    )
    _check_schedule(action_request.pk, next_at)


def _check_schedule(action_request_id: int, next_run: dt.datetime) -> None:
    from django_q.models import Schedule

    Schedule.objects.create(
        name=f"remediation-verify-{action_request_id}-{next_run.timestamp():.0f}",
        func="remediation.tasks.verify_action",
        args=repr(action_request_id),
        schedule_type=Schedule.ONCE,
        repeats=-1,  # a ONCE schedule with negative repeats is deleted after it runs
        next_run=next_run,
    )


def _probe_once(probe: Probe, request: ActionRequest) -> Recheck:
    """One check; any failure (the cluster down, a bug) is "not yet recovered", with why (the
    reason redacted: a cluster's error or a pod's message may echo a secret)."""
    try:
        answer = probe(request, execution_context(request))
    except Exception as exc:
        logger.warning("verification check of remediation %s failed: %r", request.pk, exc)
        return Recheck(False, redact_text(f"the check failed: {exc}"))
    if not isinstance(answer, Recheck):
        return Recheck(bool(answer), "")
    return Recheck(answer.recovered, redact_text(answer.reason))


def _check_claim(action_request_id: int, now: dt.datetime) -> bool:
    lease = now + dt.timedelta(seconds=conf.verify_interval_seconds())
    claimed = ActionRequest.objects.filter(
        pk=action_request_id, recovered__isnull=True, verify_next_at__lte=now
    ).update(verify_next_at=lease)
    return claimed == 1


def action_verify(*, action_request_id: int, now: dt.datetime | None = None) -> ActionRequest:
    """One verification check, if one is due at `now`: record recovery, or schedule the next
    check, or (past the deadline) record no recovery, roll back undoable actions and escalate."""
    now = now or timezone.now()
    due = _check_claim(action_request_id, now)
    request = ActionRequest.objects.select_related(
        "action", "lab_instance__cluster", "lab_instance__lab"
    ).get(pk=action_request_id)
    probe = _probe(request)
    if not due or probe is None:
        return request
    finished = request.finished_at or now
    check = _probe_once(probe, request)
    if check.recovered:
        _verification_record(request, max((now - finished).total_seconds(), 0.0), check)
    elif request.verify_deadline is None or now >= request.verify_deadline:
        if _verification_record(request, None, check):
            _rollback_and_escalate(request, check)
    else:
        next_at = min(
            now + dt.timedelta(seconds=conf.verify_interval_seconds()), request.verify_deadline
        )
        ActionRequest.objects.filter(pk=request.pk, recovered__isnull=True).update(
            verify_next_at=next_at
        )
        _check_schedule(request.pk, next_at)
    request.refresh_from_db()
    return request


def verifications_due(*, now: dt.datetime | None = None) -> list[ActionRequest]:
    """Run every check that is due: the periodic safety net behind the one-off schedules.
    A check that breaks is logged and the others still run."""
    now = now or timezone.now()
    due = ActionRequest.objects.filter(recovered__isnull=True, verify_next_at__lte=now)
    checked = []
    for pk in list(due.values_list("pk", flat=True)):
        try:
            checked.append(action_verify(action_request_id=pk, now=now))
        except Exception:
            logger.exception("verification of remediation %s failed", pk)
    return checked


@transaction.atomic
def _verification_record(request: ActionRequest, seconds: float | None, check: Recheck) -> bool:
    """Record the outcome once; False when another check already recorded it."""
    recorded = ActionRequest.objects.filter(pk=request.pk, recovered__isnull=True).update(
        recovered=seconds is not None, recovered_seconds=seconds, verify_next_at=None
    )
    if recorded != 1:
        return False
    request.refresh_from_db()
    result = {"recovered": request.recovered, "seconds": seconds, "last_check": check.reason}
    ok = bool(request.recovered)
    audit_entry_record(request, AuditEntry.Event.VERIFIED, ok=ok, result=result)
    broadcast.approval_changed_on_commit(request.pk)
    return True


@transaction.atomic
def _rollback_and_escalate(request: ActionRequest, check: Recheck) -> None:
    undo = request.result.get("undo")
    if undo:
        _rollback(request, undo)
    request.escalated = True
    request.save(update_fields=["escalated"])
    why = f": {check.reason}" if check.reason else ""
    intent = f"the lab did not recover within the verification window{why}"
    audit_entry_record(request, AuditEntry.Event.ESCALATED, ok=False, intent=intent)
    logger.warning("remediation %s did not recover %s: escalated", request.pk, request.lab_instance)


def _rollback(request: ActionRequest, undo: dict[str, object]) -> None:
    """Undo the action when it can be undone; a failure (the cluster down) is audited."""
    try:
        context = execution_context(request)
        if not (context.action.undoable and context.action.method):
            return
        restored = executor_for(context.action.method)(context=context).rollback(undo)
    except Exception as exc:
        audit_entry_record(
            request, AuditEntry.Event.ROLLED_BACK, ok=False, error=redact_text(str(exc))
        )
        return
    audit_entry_record(request, AuditEntry.Event.ROLLED_BACK, result=restored)
