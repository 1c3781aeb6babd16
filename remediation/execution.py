"""Execution of approved requests: audit before, executor, audit after (even on a crash)."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from labs.models import Cluster
from remediation import broadcast
from remediation.audit import audit_entry_record
from remediation.current import decision_now
from remediation.executors import executor_for
from remediation.executors.base import ClusterAccess, ExecutionContext, ExecutionResult
from remediation.gates import approval_blockers
from remediation.models import ActionRequest, AuditEntry
from remediation.services import request_refuse
from stargate.lib.redact import redact_text

logger = logging.getLogger(__name__)
Status = ActionRequest.Status
TEST_CLUSTER_PURPOSES = frozenset({"test", "dev", "sim"})


def cluster_access(cluster: Cluster) -> ClusterAccess:
    return ClusterAccess(
        name=cluster.name,
        api_url=cluster.api_url,
        kubeconfig_path=cluster.kubeconfig_path,
        token_file=cluster.token_file,
        ca_bundle_path=cluster.ca_bundle_path,
        verify_tls=cluster.verify_tls,
    )


def execution_context(action_request: ActionRequest) -> ExecutionContext:
    definition = action_request.action.definition()
    return ExecutionContext(
        action=definition,
        parameters={**definition.fixed, **action_request.parameters},
        namespace=action_request.lab_instance.namespace,
        cluster=cluster_access(action_request.lab_instance.cluster),
        allowed_prefixes=settings.REMEDIATION_ALLOWED_PREFIXES,
        sandbox_api_url=settings.SANDBOX_API_URL,
        sandbox_api_token=settings.SANDBOX_API_TOKEN,
    )


def _records_only(action_request: ActionRequest) -> str | None:
    """Why this execution only records its intent, or None when it really runs."""
    if settings.DRY_RUN:
        return "dry run"
    if settings.EXECUTION_TARGET == "mock":
        return "mock target"
    purpose = action_request.lab_instance.cluster.labels.get("purpose")
    if settings.EXECUTION_TARGET == "test" and purpose not in TEST_CLUSTER_PURPOSES:
        return f"test target, and cluster purpose is {purpose!r}"
    return None


@transaction.atomic(durable=True)
def _gates_refuse(action_request_id: int) -> bool:
    """Re-run every gate on current state just before the executor: the action may have been
    disabled, the lab switched, the cluster lost, a session started, remediation paused or the
    failure cleared since the decision. Refuses (audited) and returns True when a gate that a
    human approval cannot answer does not pass."""
    request = ActionRequest.objects.get(pk=action_request_id)
    if request.status != Status.APPROVED:
        return False
    blockers = approval_blockers(decision_now(request, timezone.now()))
    if not blockers:
        return False
    return request_refuse(
        request, blockers, user=None, source=ActionRequest.Source.AUTO, when="execution"
    )


@transaction.atomic(durable=True)
def _execution_claim(action_request_id: int) -> ActionRequest | None:
    claimed = ActionRequest.objects.filter(pk=action_request_id, status=Status.APPROVED).update(
        status=Status.EXECUTING, started_at=timezone.now()
    )
    if claimed != 1:
        return None  # already executing or finished: a decision runs once
    request = ActionRequest.objects.select_related(
        "action", "lab_instance__cluster", "lab_instance__lab", "decided_by"
    ).get(pk=action_request_id)
    audit_entry_record(
        request,
        AuditEntry.Event.BEFORE,
        user=request.decided_by,
        intent=f"{request.action.action_id} in {request.lab_instance}",
        gates=request.decision,
        parameters=request.parameters,
        target=settings.EXECUTION_TARGET,
        dry_run=settings.DRY_RUN,
    )
    return request


@transaction.atomic(durable=True)
def _execution_finish(
    request: ActionRequest, *, result: dict[str, Any], error: str, duration_ms: float
) -> ActionRequest:
    # PostgreSQL text cannot hold NUL, and an exception message may carry one; an executor's
    # error may echo a secret (an admission webhook's message, a cluster's answer).
    error = redact_text(error.replace("\x00", "\\x00"))
    request.status = Status.FAILED if error else Status.SUCCEEDED
    request.result, request.error, request.finished_at = result, error, timezone.now()
    request.save(update_fields=["status", "result", "error", "finished_at"])
    audit_entry_record(
        request,
        AuditEntry.Event.AFTER,
        user=request.decided_by,
        ok=not error,
        result=result,
        error=error,
        duration_ms=duration_ms,
        parameters=request.parameters,
        target=settings.EXECUTION_TARGET,
        dry_run=settings.DRY_RUN,
    )
    broadcast.approval_changed_on_commit(request.pk)
    return request


def _run(request: ActionRequest) -> ExecutionResult:
    only = _records_only(request)
    if only is not None:
        return ExecutionResult(detail={"recorded_only": only})
    context = execution_context(request)
    if context.action.method is None:
        return ExecutionResult(detail={"recorded_only": "diagnostic action"})
    return executor_for(context.action.method)(context=context).execute()


def action_execute(*, action_request_id: int) -> ActionRequest | None:
    """Run an approved request once. Returns None when another worker already claimed it,
    or when a gate re-run on current state refuses it (see _gates_refuse).

    The before-entry is committed before the executor runs, and the after-entry is written
    whatever the executor does, so a crash still leaves both (the after one marked failed).
    """
    if _gates_refuse(action_request_id):
        return None
    request = _execution_claim(action_request_id)
    if request is None:
        return None
    started = time.monotonic()
    try:
        outcome = _run(request)
    except BaseException as exc:
        duration = (time.monotonic() - started) * 1000
        logger.exception("remediation %s failed", request.pk)
        _execution_finish(
            request, result={}, error=f"{type(exc).__name__}: {exc}"[:2000], duration_ms=duration
        )
        if not isinstance(exc, Exception):
            raise
        return request
    result = {**outcome.detail, **({"undo": outcome.undo} if outcome.undo else {})}
    duration = (time.monotonic() - started) * 1000
    return _execution_finish(request, result=result, error="", duration_ms=duration)
