"""Work queued in Redis is recoverable from the database: the periodic sweep that recovers it.

django-q2's Redis broker holds a task only in Redis (and, once taken, only in the worker that
took it), so a flushed or lost Redis, or a killed worker, drops queued tasks. Everything that
must run is also written in PostgreSQL, and this sweep (every minute, `recover_lost_work`)
queues it again:

- approved requests not started within a grace period: `execute_action` again. The execution
  claim is one conditional UPDATE (approved -> executing), so a request queued twice, or still
  queued behind a long queue, runs once; the others find nothing to claim.
- scans: their schedules are rows; a fired schedule whose run never started is queued again,
  and runs left `running` by a killed worker are failed (scanning.recovery).
- verifications need nothing here: a due check is `verify_next_at` on the request, and the
  periodic `verify_due` task runs every due check from it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db.models.functions import Coalesce
from django.utils import timezone

from remediation.models import ActionRequest
from scanning.recovery import scan_runs_abandon, scan_schedules_requeue

logger = logging.getLogger(__name__)
GRACE = dt.timedelta(minutes=1)
EXECUTE_TASK = "remediation.tasks.execute_action"


@dataclass(frozen=True)
class Recovery:
    requests: list[int]
    scans: list[str]
    abandoned_runs: int

    def __str__(self) -> str:
        return (
            f"{len(self.requests)} approved requests and {len(self.scans)} scans queued again, "
            f"{self.abandoned_runs} abandoned scan runs failed"
        )


def approved_requests_requeue(
    *, now: dt.datetime | None = None, grace: dt.timedelta = GRACE
) -> list[int]:
    """Queue `execute_action` again for requests approved more than `grace` ago and not yet
    started; their ids."""
    from django_q.tasks import async_task

    now = now or timezone.now()
    waiting = (
        ActionRequest.objects.annotate(
            approved_since=Coalesce("decided_at", "last_seen_at", "created_at")
        )
        .filter(status=ActionRequest.Status.APPROVED, approved_since__lte=now - grace)
        .order_by("pk")
    )
    ids = list(waiting.values_list("pk", flat=True))
    for pk in ids:
        async_task(EXECUTE_TASK, pk)
    if ids:
        logger.warning("approved requests not started, queued again: %s", ids)
    return ids


def lost_work_recover(*, now: dt.datetime | None = None) -> Recovery:
    now = now or timezone.now()
    return Recovery(
        requests=approved_requests_requeue(now=now),
        scans=scan_schedules_requeue(now=now),
        abandoned_runs=scan_runs_abandon(now=now),
    )
