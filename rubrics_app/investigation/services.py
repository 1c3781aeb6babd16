"""Starting an investigation: a queued run, executed by a django-q2 task after the commit
(never in the request). One run per lab at a time, four in all; a run stuck in `running` past the stale
limit is marked `error` so that a new one may start."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from labs.models import LabInstance, Status
from rubrics_app.models import Evaluation, InvestigationRun

TASK = "rubrics_app.investigation.agent.investigation_execute"
STALE_AFTER = timedelta(minutes=5)
MAX_UNDER_WAY = 4  # investigations queued or running at a time, in the whole install (spec 19.1)


class InvestigationRefused(Exception):
    """Not now: the lab is ready, or enough investigations are under way."""


def investigation_request(
    *,
    lab: LabInstance,
    user: User | None,
    trigger_type: str = InvestigationRun.Trigger.MANUAL,
    evaluation: Evaluation | None = None,
) -> InvestigationRun:
    """A new queued run of `lab` (or the one already under way), its task queued on commit.
    The attention gate passes its trigger type and the verdict that set it off."""
    if lab.status == Status.READY:
        raise InvestigationRefused("The lab is ready: there is nothing to investigate.")
    now = timezone.now()
    active = InvestigationRun.objects.filter(
        lab_instance=lab,
        status__in=[InvestigationRun.Status.QUEUED, InvestigationRun.Status.RUNNING],
    )
    active.filter(created_at__lt=now - STALE_AFTER).update(
        status=InvestigationRun.Status.ERROR,
        error="marked stale: still unfinished after 5 minutes",
        completed_at=now,
    )
    current = active.filter(created_at__gte=now - STALE_AFTER).first()
    if current is not None:
        return current
    under_way = InvestigationRun.objects.filter(
        status__in=[InvestigationRun.Status.QUEUED, InvestigationRun.Status.RUNNING],
        created_at__gte=now - STALE_AFTER,
    )
    if under_way.count() >= MAX_UNDER_WAY:
        raise InvestigationRefused(
            f"{MAX_UNDER_WAY} investigations are under way: try again when one has finished."
        )
    run = InvestigationRun.objects.create(
        lab_instance=lab,
        requested_by=user,
        failure_class=evaluation.failure_class if evaluation is not None else lab.failure_class,
        trigger_type=trigger_type,
        triggering_evaluation=evaluation,
        created_at=now,
    )
    transaction.on_commit(lambda: _enqueue(run.pk), robust=True)
    return run


def _enqueue(pk: int) -> None:
    from django_q.tasks import async_task

    async_task(TASK, pk, task_name=f"investigate {pk}")
