"""Read queries over the verdicts, for the dashboard and the remediation engine."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from labs.models import LabInstance

from .models import ClassificationProposal, Evaluation, StateChange
from .registry import active_rubrics


def state_changes_latest(*, limit: int = 50, lab_level_only: bool = False) -> QuerySet[StateChange]:
    """The fleet's latest changes, newest first (index `statechange_latest`)."""
    changes = StateChange.objects.select_related("lab_instance__cluster")
    if lab_level_only:
        changes = changes.filter(rubric_id="")
    return changes.order_by("-at", "-pk")[:limit]


def lab_instance_timeline(*, lab_instance: LabInstance) -> QuerySet[StateChange]:
    """One lab's history of changes, newest first (index `statechange_lab_timeline`)."""
    return StateChange.objects.filter(lab_instance=lab_instance).order_by("-at", "-pk")


def lab_instance_evaluations(*, lab_instance: LabInstance) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(lab_instance=lab_instance).order_by("rubric_id")


def cluster_conditions(evaluations: Iterable[Evaluation]) -> list[Evaluation]:
    """The lab's verdicts from cluster-level rubrics that found something: shown beside the
    lab's own failure class, which never takes theirs."""
    cluster_level = {rubric.id for rubric in active_rubrics().rubrics if rubric.cluster_level}
    return [e for e in evaluations if e.rubric_id in cluster_level and e.failure_class]


def proposals_pending() -> QuerySet[ClassificationProposal]:
    """Proposals waiting for review, newest first (the live list; team scoping is the page's)."""
    return ClassificationProposal.objects.filter(
        status=ClassificationProposal.Status.PROPOSED
    ).select_related("lab_instance__cluster", "call", "reviewer")


def proposals_for(
    *, lab_instances: QuerySet[LabInstance], status: str = ""
) -> QuerySet[ClassificationProposal]:
    """Proposals on these labs, newest first, optionally of one status."""
    rows = ClassificationProposal.objects.filter(lab_instance__in=lab_instances)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("lab_instance__cluster", "call", "reviewer").order_by(
        "-created_at", "-pk"
    )
