"""Triage on a lab page: the cause summary at the top and the rubrics worst first. Pure: works
on the rows the lab page has already read (its verdicts and its timeline), no query."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from labs.models import Status
from stargate.lib.redact import redact_text

if TYPE_CHECKING:
    from rubrics_app.models import Evaluation, StateChange
    from rubrics_app.selectors import FailureClassDef

RANK = {status: n for n, status in enumerate(Status.values)}  # worst first
SEEN_SHOWN = 8


@dataclass(frozen=True, slots=True)
class Cause:
    """Why a lab is not ready: its deciding verdict, as an operator reads it first."""

    evaluation: Evaluation
    code: str
    severity: str
    class_summary: str
    object_ref: str
    message: str  # redacted
    since: datetime | None
    seen: list[StateChange]  # the rubric's changes the engine recorded, oldest first
    times_failed: int  # among the lab's recent changes
    action: str


def evaluations_worst_first(
    evaluations: Iterable[Evaluation], positions: Mapping[str, int]
) -> list[Evaluation]:
    """Failing, then stale, unknown, warning, progressing, ready; pipeline order among equals."""
    last = len(positions)
    return sorted(
        evaluations,
        key=lambda e: (RANK.get(e.outcome, len(RANK)), positions.get(e.rubric_id, last)),
    )


def deciding_evaluation(
    status: str, failure_class: str, ordered: list[Evaluation], cluster_level: set[str]
) -> Evaluation | None:
    """The verdict behind the lab's status: the one of its class, else its worst lab-level
    one, else (a lab whose only finding is cluster-level) its worst cluster condition."""
    if status == Status.READY:
        return None
    open_ones = [e for e in ordered if e.outcome != Status.READY]
    for evaluation in open_ones:
        if failure_class and evaluation.failure_class == failure_class:
            return evaluation
    lab_level = [e for e in open_ones if e.rubric_id not in cluster_level]
    candidates = lab_level or open_ones
    return candidates[0] if candidates else None


def _deciding_object(evaluation: Evaluation) -> dict[str, Any] | None:
    objects = [obj for c in evaluation.criteria or [] for obj in c.get("evidence") or []]
    for obj in objects:
        if obj.get("ref") == evaluation.object_ref:
            return dict(obj)
    return dict(objects[0]) if objects else None


def lab_cause(
    *,
    status: str,
    failure_class: str,
    ordered: list[Evaluation],
    timeline: list[StateChange],
    classes: Mapping[str, FailureClassDef],
    cluster_level: set[str],
    status_changed_at: datetime | None,
) -> Cause | None:
    evaluation = deciding_evaluation(status, failure_class, ordered, cluster_level)
    if evaluation is None:
        return None
    found = classes.get(evaluation.failure_class)
    obj = _deciding_object(evaluation)
    message = (obj.get("message") or obj.get("reason")) if obj else ""
    changes = [c for c in timeline if c.rubric_id == evaluation.rubric_id]
    return Cause(
        evaluation=evaluation,
        code=found.code if found else "",
        severity=found.severity if found else "",
        class_summary=found.summary if found else "",
        object_ref=evaluation.object_ref or (obj or {}).get("ref", ""),
        message=redact_text(str(message or evaluation.reason)),
        since=evaluation.outcome_since or status_changed_at,
        seen=changes[:SEEN_SHOWN][::-1],
        times_failed=sum(1 for c in changes if c.to_status == Status.FAILED),
        action=evaluation.recommended_action or (found.action if found else ""),
    )
