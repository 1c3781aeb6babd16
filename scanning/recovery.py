"""Scans a lost worker or a lost Redis left behind, found and mended from the database.

- A run still `running` past the task timeout has no worker any more: django-q2 kills a task at
  its timeout, and a killed worker process or pod never finishes its run. It is marked failed.
- A scan schedule that fired (its `next_run` moved on) but whose run never started within a
  grace period lost its queued task (Redis flushed or lost, or the task dropped with a killed
  worker): the scan is queued again now instead of waiting a whole interval.

Both are idempotent: a run is failed with a conditional UPDATE, and a scan queued twice only
scans twice (a scan writes the cluster's current state; it takes no action).
"""

from __future__ import annotations

import ast
import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule

from scanning.models import ScanRun
from scanning.schedules import TASK
from stargate import realtime

logger = logging.getLogger(__name__)
ABANDONED = "abandoned: its worker stopped (killed, lost or timed out) before the run finished"


def task_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.Q_CLUSTER["timeout"]))


def scan_runs_abandon(*, now: dt.datetime | None = None) -> int:
    """Fail every run still `running` for longer than the task timeout; how many."""
    now = now or timezone.now()
    stuck = ScanRun.objects.filter(
        status=ScanRun.Status.RUNNING, started_at__lte=now - task_timeout()
    )
    failed = 0
    for run in list(stuck):
        run.errors = [*run.errors, ABANDONED]
        failed += ScanRun.objects.filter(pk=run.pk, status=ScanRun.Status.RUNNING).update(
            status=ScanRun.Status.FAILED,
            finished_at=now,
            phase="abandoned",
            errors=run.errors,
            error_count=len(run.errors),
        )
    if failed:
        logger.warning("%s scan runs abandoned by their workers marked failed", failed)
        realtime.fleet_changed_on_commit()
    return failed


def _scan_target(schedule: Schedule) -> tuple[int, int] | None:
    try:
        kwargs = ast.literal_eval(schedule.kwargs or "{}")
        return int(kwargs["cluster_id"]), int(kwargs["tier"])
    except (ValueError, SyntaxError, KeyError, TypeError):
        return None


def _lost(schedule: Schedule, now: dt.datetime, grace: dt.timedelta) -> bool:
    """The schedule's last firing is older than `grace` and no run started since it."""
    if schedule.next_run is None or not schedule.minutes or schedule.task is None:
        return False
    fired_at = schedule.next_run - dt.timedelta(minutes=schedule.minutes)
    target = _scan_target(schedule)
    if target is None or fired_at > now - grace:
        return False
    cluster_id, tier = target
    started = ScanRun.objects.filter(cluster_id=cluster_id, tier=tier, started_at__gte=fired_at)
    return not started.exists()


def scan_schedules_requeue(
    *, now: dt.datetime | None = None, grace: dt.timedelta = dt.timedelta(minutes=2)
) -> list[str]:
    """Queue again the scans whose scheduled task was lost; the names of their schedules."""
    from django_q.tasks import async_task

    now = now or timezone.now()
    requeued = []
    for schedule in Schedule.objects.filter(func=TASK, schedule_type=Schedule.MINUTES):
        target = _scan_target(schedule)
        if target is None or not _lost(schedule, now, grace):
            continue
        async_task(TASK, cluster_id=target[0], tier=target[1], task_name=schedule.name[:100])
        requeued.append(schedule.name)
    if requeued:
        logger.warning("scan tasks lost from the queue, queued again: %s", requeued)
    return requeued
