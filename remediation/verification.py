"""After an action: re-check the lab, record whether it recovered, roll back or escalate.

Kubernetes actions are verified by re-scanning the namespace and re-evaluating it with the
rubric engine (remediation.recheck); Anarchy actions by the subject reaching its desired state.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.db import transaction
from kubernetes.client.exceptions import ApiException

from remediation import conf
from remediation.execution import execution_context
from remediation.executors import executor_for
from remediation.executors.base import ExecutionContext, ExecutionError
from remediation.executors.custom import custom_object_get
from remediation.executors.rhdp_anarchy import GROUP, PLURAL, VERSION
from remediation.models import ActionRequest, AuditEntry
from remediation.recheck import RECOVERED, lab_reevaluate
from remediation.services import _audit

logger = logging.getLogger(__name__)
Probe = Callable[[ActionRequest, ExecutionContext], bool]


def lab_recovered(request: ActionRequest, context: ExecutionContext) -> bool:
    return str(lab_reevaluate(request.lab_instance, context.cluster).status) in RECOVERED


def anarchy_settled(request: ActionRequest, context: ExecutionContext) -> bool:
    subject = custom_object_get(
        context.cluster, GROUP, VERSION, str(context.parameters["subject_namespace"]), PLURAL,
        str(context.parameters["subject"]),
    )  # fmt: skip
    current = subject.get("spec", {}).get("vars", {}).get("current_state")
    return bool(current == context.parameters["desired_state"])


PROBES: dict[str | None, Probe] = {"kubernetes": lab_recovered, "rhdp_anarchy": anarchy_settled}


def verification_schedule(*, action_request: ActionRequest) -> None:
    if action_request.status != ActionRequest.Status.SUCCEEDED:
        return
    if "recorded_only" in action_request.result:
        return
    from django_q.tasks import async_task

    async_task("remediation.tasks.verify_action", action_request.pk)


def _probe_until(probe: Probe, request: ActionRequest, context: ExecutionContext) -> float | None:
    """Seconds until the probe passed, or None when the window ran out."""
    started = time.monotonic()
    deadline = started + conf.verify_window_seconds()
    while True:
        try:
            if probe(request, context):
                return time.monotonic() - started
        except (ApiException, ExecutionError, OSError) as exc:
            logger.warning("verification probe failed: %s", exc)
        if time.monotonic() >= deadline:
            return None
        time.sleep(conf.verify_interval_seconds())


def action_verify(*, action_request_id: int) -> ActionRequest:
    request = ActionRequest.objects.select_related(
        "action", "lab_instance__cluster", "lab_instance__lab"
    ).get(pk=action_request_id)
    context = execution_context(request)
    probe = PROBES.get(context.action.method.value if context.action.method else None)
    if probe is None:
        return request  # nothing observable to verify (pool sizes, sandbox API placements)
    seconds = _probe_until(probe, request, context)
    _verification_record(request, seconds)
    if seconds is None:
        _rollback_and_escalate(request, context)
    return request


@transaction.atomic
def _verification_record(request: ActionRequest, seconds: float | None) -> None:
    request.recovered = seconds is not None
    request.recovered_seconds = seconds
    request.save(update_fields=["recovered", "recovered_seconds"])
    _audit(request, AuditEntry.Event.VERIFIED, ok=request.recovered,
           result={"recovered": request.recovered, "seconds": seconds})  # fmt: skip


@transaction.atomic
def _rollback_and_escalate(request: ActionRequest, context: ExecutionContext) -> None:
    undo = request.result.get("undo")
    if undo and context.action.undoable and context.action.method:
        try:
            restored = executor_for(context.action.method)(context=context).rollback(undo)
            _audit(request, AuditEntry.Event.ROLLED_BACK, result=restored)
        except ExecutionError as exc:
            _audit(request, AuditEntry.Event.ROLLED_BACK, ok=False, error=str(exc))
    request.escalated = True
    request.save(update_fields=["escalated"])
    _audit(request, AuditEntry.Event.ESCALATED, ok=False,
           intent="the lab did not recover within the verification window")  # fmt: skip
    logger.warning("remediation %s did not recover %s: escalated", request.pk, request.lab_instance)
