"""Read queries over the verdicts, for the dashboard and the remediation engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import Count, F, Q, QuerySet

from labs.models import LabInstance

from .definitions import FailureClassDef as FailureClassDef  # re-exported: the pages type with it
from .models import (
    AttentionDecision,
    ClassificationProposal,
    ClassificationRule,
    Evaluation,
    InvestigationRun,
    InvestigationStep,
    StateChange,
)
from .registry import active_rubrics
from .siblings import Difference as Difference
from .siblings import SiblingComparison as SiblingComparison
from .siblings import sibling_comparisons as sibling_comparisons


def state_changes_latest(
    *, limit: int = 50, lab_level_only: bool = False, team_ids: Iterable[int] | None = None
) -> QuerySet[StateChange]:
    """The fleet's latest changes, newest first (index `statechange_latest`); with `team_ids`,
    those of these teams' labs only."""
    changes = StateChange.objects.select_related("lab_instance__cluster")
    if lab_level_only:
        changes = changes.filter(rubric_id="")
    if team_ids is not None:
        changes = changes.filter(lab_instance__lab__team_id__in=sorted(team_ids))
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


def lab_level_changes_since(*, since: datetime, statuses: Iterable[str]) -> list[tuple[Any, ...]]:
    """Lab-level changes since `since` into or out of one of `statuses`, as (lab instance id,
    cluster id, team id, from status, to status, at) tuples (one query)."""
    wanted = list(statuses)
    return list(
        StateChange.objects.filter(rubric_id="", at__gte=since)
        .filter(Q(from_status__in=wanted) | Q(to_status__in=wanted))
        .order_by()
        .values_list(
            "lab_instance_id",
            "lab_instance__cluster_id",
            "lab_instance__lab__team_id",
            "from_status",
            "to_status",
            "at",
        )
    )


def lab_instance_changes_since(*, lab_instance: LabInstance, since: datetime) -> list[StateChange]:
    """One lab's changes since `since`, oldest first, rubric by rubric and its own (one query)."""
    changes = StateChange.objects.filter(lab_instance=lab_instance, at__gte=since)
    return list(changes.only("rubric_id", "from_status", "to_status", "at").order_by("at", "pk"))


def failure_class_catalog() -> dict[str, FailureClassDef]:
    """The failure classes by id (code, severity, recommended action, summary)."""
    return active_rubrics().classes


def rubric_positions() -> dict[str, int]:
    """Each active rubric's place in the pipeline, first 0."""
    return {rubric.id: n for n, rubric in enumerate(active_rubrics().rubrics)}


CAPACITY_THRESHOLD_PCT = 90.0  # when no active rubric sets one


def capacity_threshold_pct() -> float:
    """The CPU and memory use above which the cluster-health rubric calls capacity high."""
    for rubric in active_rubrics().rubrics:
        for criterion in rubric.exit_criteria:
            if criterion.check == "cluster_capacity" and criterion.threshold_pct is not None:
                return float(criterion.threshold_pct)
    return CAPACITY_THRESHOLD_PCT


class ConditionGroup(NamedTuple):
    """Labs of one cluster that a cluster-level rubric finds not ready, by class and outcome."""

    cluster_id: int
    failure_class: str
    outcome: str
    n: int


def cluster_condition_groups(lab_instances: QuerySet[LabInstance]) -> list[ConditionGroup]:
    """Cluster-level verdicts that found something, counted per cluster (one grouped query)."""
    cluster_level = [rubric.id for rubric in active_rubrics().rubrics if rubric.cluster_level]
    rows = (
        Evaluation.objects.filter(rubric_id__in=cluster_level, lab_instance__in=lab_instances)
        .exclude(failure_class="")
        .values_list("lab_instance__cluster_id", "failure_class", "outcome")
        .annotate(n=Count("id"))
        .order_by("lab_instance__cluster_id", "failure_class", "outcome")
    )
    return [ConditionGroup(*row) for row in rows]


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


def sibling_comparison(lab: LabInstance) -> SiblingComparison | None:
    """The lab's differences with healthy labs of its catalog item (None for a ready lab)."""
    return sibling_comparisons([lab]).get(lab.pk)


def investigation_latest(lab: LabInstance) -> InvestigationRun | None:
    return (
        InvestigationRun.objects.filter(lab_instance=lab)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")
        .first()
    )


def investigation_steps(run: InvestigationRun) -> list[InvestigationStep]:
    return list(run.steps.order_by("number", "pk"))


def investigations_for(lab_instances: QuerySet[LabInstance]) -> QuerySet[InvestigationRun]:
    """Runs on these labs (a user's audience), newest first."""
    return InvestigationRun.objects.filter(lab_instance__in=lab_instances).select_related(
        "lab_instance__cluster", "requested_by"
    )


def attention_decisions(
    lab_instances: QuerySet[LabInstance], limit: int = 15
) -> list[AttentionDecision]:
    """The attention gate's latest decisions on these labs (a user's audience), newest first."""
    return list(
        AttentionDecision.objects.filter(lab_instance__in=lab_instances)
        .select_related("lab_instance__cluster")
        .order_by("-at", "-pk")[:limit]
    )


INVESTIGATION_ENDED = (
    InvestigationRun.Status.COMPLETE,
    InvestigationRun.Status.STEP_LIMIT,
    InvestigationRun.Status.TIME_LIMIT,
    InvestigationRun.Status.ERROR,
)


def investigations_ended_since(since: datetime, limit: int = 2000) -> list[InvestigationRun]:
    """Runs that ended (an answer, a cap or an error) at or after `since`, oldest first (the
    incident pipeline's `investigation.completed` source)."""
    return list(
        InvestigationRun.objects.filter(status__in=INVESTIGATION_ENDED, completed_at__gte=since)
        .select_related("lab_instance")
        .order_by("completed_at", "pk")[:limit]
    )


def classifications_reviewed_since(
    since: datetime, limit: int = 2000
) -> list[ClassificationProposal]:
    """Proposals a person accepted or corrected to a class other than the lab's, at or after
    `since`, oldest first (the incident pipeline's `failure.classified` source)."""
    reviewed = (
        ClassificationProposal.objects.filter(
            status__in=[
                ClassificationProposal.Status.ACCEPTED,
                ClassificationProposal.Status.CORRECTED,
            ],
            reviewed_at__gte=since,
        )
        .exclude(final_class="")
        .exclude(final_class=F("original_class"))
    )
    return list(reviewed.select_related("lab_instance").order_by("reviewed_at", "pk")[:limit])


def classification_rules_activated_since(
    since: datetime, limit: int = 2000
) -> list[ClassificationRule]:
    """Rules switched on at or after `since` (active, or retired since), oldest first (the
    incident pipeline's `failure.classified` source for promotions)."""
    rules = ClassificationRule.objects.filter(
        status__in=[ClassificationRule.Status.ACTIVE, ClassificationRule.Status.RETIRED],
        activated_at__gte=since,
    )
    return list(rules.order_by("activated_at", "pk")[:limit])
