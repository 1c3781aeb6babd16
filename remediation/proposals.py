"""From a failed rubric evaluation to action requests (through the gates in services)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from labs.models import LabInstance
from remediation.execution import cluster_access
from remediation.executors.rhdp_anarchy import anarchy_subject_find
from remediation.gates import UNKNOWN_STATE
from remediation.models import ActionRequest, RemediationAction
from remediation.services import action_request_create
from remediation.targets import parameters_for
from rubrics_app.outcomes import LabEvaluation

logger = logging.getLogger(__name__)


def _subject(lab_instance: LabInstance) -> dict[str, Any] | None:
    try:
        return anarchy_subject_find(cluster_access(lab_instance.cluster), lab_instance.namespace)
    except Exception as exc:  # any failure to read the subject makes its state unknown
        logger.warning("AnarchySubject lookup failed for %s: %s", lab_instance, exc)
        return {"metadata": {}, "spec": {"vars": {"current_state": UNKNOWN_STATE}}}


def lab_instance_remediate(
    *,
    lab_instance: LabInstance,
    evaluation: LabEvaluation,
    evidence: dict[str, Any],
    confirmed: bool = True,
) -> list[ActionRequest]:
    """One request per failed rubric: its class's recommended action, or its diagnostic one
    when the target cannot be read from the evidence. The gates decide what happens to it."""
    failed = [o for o in evaluation.rubrics if str(o.outcome) == "failed" and o.failure_class]
    if not failed:
        return []
    subject = _subject(lab_instance)
    evidence = {**evidence, "objects": {**evidence.get("objects", {})}}
    if subject is not None:
        evidence["objects"]["anarchysubjects"] = [subject]
    requests = []
    for outcome in failed:
        action, params = _choose(
            outcome.action, outcome.failure_class, evidence, outcome.object_ref
        )
        if action is None:
            continue
        requests.append(
            action_request_create(
                lab_instance=lab_instance,
                action=action,
                failure_class=outcome.failure_class,
                parameters=params,
                evidence=_snapshot(evidence, outcome.evidence_excerpt()),
                confirmed=confirmed,
            )
        )
    return requests


def _choose(
    action_id: str, failure_class: str, evidence: dict[str, Any], object_ref: str
) -> tuple[RemediationAction | None, dict[str, object]]:
    enabled = RemediationAction.objects.filter(enabled=True)
    action = enabled.filter(action_id=action_id).first()
    if action is not None:
        subject = (evidence["objects"].get("anarchysubjects") or [None])[0]
        try:
            return action, parameters_for(action.definition(), evidence, object_ref, subject)
        except (ValueError, KeyError) as exc:
            logger.info("%s: %s; recommending the diagnostic action", action_id, exc)
    return enabled.filter(action_id=f"diagnose-{failure_class}").first(), {}


def _snapshot(evidence: dict[str, Any], excerpt: list[dict[str, Any]]) -> dict[str, Any]:
    """What the approver sees: the failing objects, and the subject the pre-flight read."""
    return {
        "failing": excerpt,
        "anarchysubjects": evidence["objects"].get("anarchysubjects", []),
        "cluster": evidence.get("cluster", ""),
        "collected_at": evidence.get("collected_at", ""),
    }


@dataclass(frozen=True)
class RemediationPass:
    requests: list[ActionRequest]
    failed_lab_ids: list[int]


def labs_remediate_from_evidence() -> RemediationPass:
    """The scheduled entry point: re-evaluate stored evidence (the rubric engine is pure and
    fast) and remediate the failed labs. The scan pipeline stores evidence every tier run.

    Each lab is handled on its own: one lab whose evidence or request cannot be processed is
    logged and skipped, and the others are still remediated."""
    from django.utils import timezone

    from rubrics_app.engine import evaluate
    from rubrics_app.registry import active_rubrics
    from scanning.models import LabEvidence

    rubrics, now = active_rubrics(), timezone.now()
    requests: list[ActionRequest] = []
    rows = LabEvidence.objects.select_related("lab_instance__lab", "lab_instance__cluster")
    failed: list[int] = []
    for row in rows.filter(lab_instance__deleted_at__isnull=True).iterator():
        try:
            evaluation = evaluate(row.evidence, rubrics, now)
            if str(evaluation.status) == "failed":
                requests += lab_instance_remediate(
                    lab_instance=row.lab_instance, evaluation=evaluation, evidence=row.evidence
                )
        except Exception:
            logger.exception("Could not remediate lab instance %s", row.lab_instance_id)
            failed.append(row.lab_instance_id)
    return RemediationPass(requests=requests, failed_lab_ids=failed)
