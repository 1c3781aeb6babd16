"""From failed rubric verdicts to action requests (through the gates in services).

The periodic pass acts on the verdicts the rubric service stored, the ones the dashboard shows:
it never re-runs the engine (which, without its memory, could call FAILED a lab the dashboard
shows PROGRESSING). Its pre-flight reads the scan's stored evidence, AnarchySubjects included,
and no cluster: a hung cluster cannot delay the pass. The rows are read in materialized batches,
so no cursor is open while a request is queued (the embedded mode's ORM broker closes the
connection when it enqueues).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from labs.models import LabInstance, Status
from remediation.models import ActionRequest, RemediationAction
from remediation.services import action_request_create
from remediation.targets import parameters_for
from rubrics_app.models import Evaluation
from rubrics_app.outcomes import LabEvaluation

logger = logging.getLogger(__name__)
BATCH = 50  # labs read per query


@dataclass(frozen=True)
class Failure:
    """A failed verdict of one rubric, as the engine gave it or as the rubric service stored it."""

    action_id: str
    failure_class: str
    object_ref: str
    fingerprint: str
    excerpt: list[dict[str, Any]]
    confirmed: bool = True  # False: the class is a model's proposal no human reviewed yet


def lab_instance_remediate(
    *,
    lab_instance: LabInstance,
    evaluation: LabEvaluation,
    evidence: dict[str, Any],
    confirmed: bool = True,
) -> list[ActionRequest]:
    """One request per failed rubric of a fresh evaluation (its evidence holds the subjects)."""
    failures = [
        Failure(
            o.action,
            o.failure_class,
            o.object_ref,
            o.fingerprint,
            o.evidence_excerpt(),
            confirmed=o.class_source != "llm",
        )
        for o in evaluation.rubrics
        if str(o.outcome) == "failed" and o.failure_class
    ]
    return failures_remediate(
        lab_instance=lab_instance, failures=failures, evidence=evidence, confirmed=confirmed
    )


def failures_remediate(
    *,
    lab_instance: LabInstance,
    failures: Iterable[Failure],
    evidence: dict[str, Any],
    confirmed: bool = True,
) -> list[ActionRequest]:
    """One request per failure: its class's recommended action, or its diagnostic one when the
    target cannot be read from the evidence. The gates decide what happens to it."""
    requests = []
    for failure in failures:
        action, params = action_choose(
            failure.action_id, failure.failure_class, evidence, failure.object_ref
        )
        if action is None:
            continue
        requests.append(
            action_request_create(
                lab_instance=lab_instance,
                action=action,
                failure_class=failure.failure_class,
                parameters=params,
                evidence=evidence_snapshot(evidence, failure.excerpt),
                confirmed=confirmed and failure.confirmed,
                fingerprint=failure.fingerprint,
            )
        )
    return requests


def incident_action_request(
    *, lab_instance: LabInstance, action_id: str, failure_class: str, incident_id: int
) -> ActionRequest | None:
    """The request an incident makes for the action it proposes, against one member lab: the
    same request (lab, action, failure fingerprint) the member's own failure would make, so an
    action is never requested twice for one failure. The gates decide, as for any request; the
    incident gate sends it to approval ("part of incident N"). None without an enabled action."""
    from scanning.models import LabEvidence

    verdict = (
        Evaluation.objects.filter(lab_instance=lab_instance, failure_class=failure_class)
        .order_by("outcome_since", "pk")
        .first()
    )
    stored = LabEvidence.objects.filter(lab_instance=lab_instance).first()
    evidence = stored.evidence if stored is not None else {}
    object_ref = verdict.object_ref if verdict else ""
    action, params = action_choose(action_id, failure_class, evidence, object_ref)
    if action is None:
        return None
    excerpt = list(verdict.evidence_excerpt or []) if verdict else []
    return action_request_create(
        lab_instance=lab_instance,
        action=action,
        failure_class=failure_class,
        parameters=params,
        evidence=evidence_snapshot(evidence, excerpt),
        confirmed=verdict is None or verdict.class_source != "llm",
        fingerprint=verdict.fingerprint
        if verdict and verdict.fingerprint
        else f"incident-{incident_id}",
        note=f"proposed by incident {incident_id}",
    )


def _subjects(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """The AnarchySubjects the scan linked to the lab (it lists them once per cluster)."""
    subjects = (evidence.get("objects") or {}).get("anarchysubjects") or []
    return list(subjects)


def action_choose(
    action_id: str, failure_class: str, evidence: dict[str, Any], object_ref: str
) -> tuple[RemediationAction | None, dict[str, object]]:
    enabled = RemediationAction.objects.filter(enabled=True)
    action = enabled.filter(action_id=action_id).first() if action_id else None
    if action is not None:
        subjects = _subjects(evidence)
        subject = subjects[0] if subjects else None
        try:
            return action, parameters_for(action.definition(), evidence, object_ref, subject)
        except (ValueError, KeyError) as exc:
            logger.info("%s: %s; recommending the diagnostic action", action_id, exc)
    return enabled.filter(action_id=f"diagnose-{failure_class}").first(), {}


def evidence_snapshot(evidence: dict[str, Any], excerpt: list[dict[str, Any]]) -> dict[str, Any]:
    """What the approver sees: the failing objects, and the subject the pre-flight read."""
    return {
        "failing": excerpt,
        "anarchysubjects": _subjects(evidence),
        "cluster": evidence.get("cluster", ""),
        "collected_at": evidence.get("collected_at", ""),
        # The gates read these (services._gate_input): the snapshot is what they judged.
        "cluster_health": evidence.get("cluster_health"),
        "stale": bool(evidence.get("stale")),
    }


@dataclass(frozen=True)
class RemediationPass:
    requests: list[ActionRequest]
    failed_lab_ids: list[int]


def _failed_verdicts() -> QuerySet[Evaluation]:
    """The failed verdicts of labs the dashboard shows FAILED."""
    return Evaluation.objects.filter(
        outcome=Status.FAILED,
        lab_instance__status=Status.FAILED,
        lab_instance__deleted_at__isnull=True,
    ).exclude(failure_class="")


def _batch(lab_ids: list[int]) -> list[tuple[LabInstance, list[Failure], dict[str, Any]]]:
    """Materialized: the caller creates requests with no cursor open."""
    from scanning.models import LabEvidence

    verdicts = list(
        _failed_verdicts()
        .filter(lab_instance_id__in=lab_ids)
        .select_related("lab_instance__lab", "lab_instance__cluster")
        .order_by("lab_instance_id", "rubric_id")
    )
    evidence = dict(
        LabEvidence.objects.filter(lab_instance_id__in=lab_ids).values_list(
            "lab_instance_id", "evidence"
        )
    )
    labs: dict[int, tuple[LabInstance, list[Failure]]] = {}
    for row in verdicts:
        failure = Failure(
            row.recommended_action,
            row.failure_class,
            row.object_ref,
            row.fingerprint,
            list(row.evidence_excerpt or []),
            confirmed=row.class_source != "llm",
        )
        labs.setdefault(row.lab_instance_id, (row.lab_instance, []))[1].append(failure)
    return [(lab, failures, evidence.get(pk) or {}) for pk, (lab, failures) in labs.items()]


def labs_remediate_from_verdicts() -> RemediationPass:
    """The scheduled entry point: remediate the failed verdicts the rubric service stored, with
    the evidence the scan stored beside them.

    Each lab is handled on its own: one lab whose evidence or request cannot be processed is
    logged and skipped, and the others are still remediated."""
    lab_ids = sorted(set(_failed_verdicts().values_list("lab_instance_id", flat=True)))
    requests: list[ActionRequest] = []
    failed: list[int] = []
    for start in range(0, len(lab_ids), BATCH):
        for lab_instance, failures, evidence in _batch(lab_ids[start : start + BATCH]):
            try:
                requests += failures_remediate(
                    lab_instance=lab_instance, failures=failures, evidence=evidence
                )
            except Exception:
                logger.exception("Could not remediate lab instance %s", lab_instance.pk)
                failed.append(lab_instance.pk)
    return RemediationPass(requests=requests, failed_lab_ids=failed)
