"""Read queries over the verdicts, for the dashboard and the remediation engine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from labs.models import LabInstance

from .models import Evaluation, StateChange
from .registry import active_rubrics


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
