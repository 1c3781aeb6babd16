"""The gates again, on current state, at the moment of acting (approval and execution).

A request is decided on what was true when it was made; by the time a human approves it or a
worker picks it up, the action may be disabled, the lab switched to recommend_only, the
cluster unreachable, a session started, remediation paused, or the failure gone. This module
gathers today's facts (database rows and the scan's stored evidence; no cluster call) and runs
the same pure gates over them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from forecasting.selectors import session_running
from labs.models import LabInstance, Status
from remediation.gates import Decision, FailureCheck, GateInput, decide
from remediation.models import ActionRequest, RemediationAction
from remediation.pauses import pause_reason
from rubrics_app.models import Evaluation
from scanning.models import LabEvidence


def anarchy_state(evidence: dict[str, Any]) -> str | None:
    """The first AnarchySubject's current state in full evidence or in a request's snapshot."""
    subjects = evidence.get("objects", {}).get("anarchysubjects") or evidence.get("anarchysubjects")
    for subject in subjects or []:
        state = subject.get("spec", {}).get("vars", {}).get("current_state")
        if state:
            return str(state)
    return None


def _stored_evidence(instance: LabInstance) -> LabEvidence | None:
    stored = LabEvidence.objects.filter(lab_instance=instance)
    return stored.only("evidence", "collected_at").first()


def _subject_state(request: ActionRequest, stored: LabEvidence | None) -> str | None:
    """From the newer of the scan's stored evidence and the request's own read of the subject."""
    if stored is not None and stored.collected_at >= request.created_at:
        return anarchy_state(stored.evidence)
    return anarchy_state(request.evidence)


def failure_check(request: ActionRequest, instance: LabInstance, stale: bool) -> FailureCheck:
    """Whether the lab's stored verdicts (the ones the dashboard shows) still carry the failure."""
    if instance.deleted_at is not None:
        return FailureCheck.CLEARED
    if stale or not instance.cluster.reachable:
        return FailureCheck.UNCONFIRMABLE
    verdicts = Evaluation.objects.filter(lab_instance=instance)
    if not verdicts.exists():
        return FailureCheck.NO_VERDICT
    still = verdicts.filter(outcome=Status.FAILED, failure_class=request.failure_class).exists()
    return FailureCheck.CURRENT if still else FailureCheck.CLEARED


def decision_now(request: ActionRequest, now: dt.datetime) -> Decision:
    """Every gate on current rows; the rate-limit slot is the caller's to claim."""
    action = RemediationAction.objects.get(pk=request.action_id)
    instance = LabInstance.objects.select_related("lab", "cluster").get(pk=request.lab_instance_id)
    stored = _stored_evidence(instance)
    stale = instance.status == Status.STALE or bool(stored and stored.evidence.get("stale"))
    return decide(
        GateInput(
            action=action.definition(),
            namespace=instance.namespace,
            allowed_prefixes=settings.REMEDIATION_ALLOWED_PREFIXES,
            execution_mode=instance.lab.execution_mode,
            failure_class=request.failure_class,
            confirmed=request.confirmed,
            anarchy_state=_subject_state(request, stored),
            session_running=session_running(lab=instance.lab, now=now, cluster=instance.cluster),
            cluster_reachable=instance.cluster.reachable,
            lab_stale=stale,
            action_enabled=action.enabled,
            paused=pause_reason(cluster=instance.cluster, lab=instance.lab, now=now),
            failure_check=failure_check(request, instance, stale),
        )
    )
