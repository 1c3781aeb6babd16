"""Queue the pipeline after the commits that feed it: a scan run's end (verdicts, reachability,
faults) and a remediation outcome. The worker runs it; a scan never waits for it."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django_q.tasks import async_task

from incidents import conf
from remediation.models import AuditEntry
from scanning.models import ScanRun

logger = logging.getLogger(__name__)
TASK = "incidents.tasks.process_events"
# Set while a queued run of the pipeline has not started: later triggers need no run of their
# own, as that one reads their events too. Every scan run ends with a trigger (tens a minute on
# a fleet) and a run takes seconds to tens of seconds: queued one per trigger, they filled the
# queue ahead of the scans (bench_capacity: the scans stopped). A run that was lost stops
# holding triggers back after PENDING_SECONDS; the periodic schedule runs it every minute anyway.
# With the local-memory cache (embedded mode, no Redis) each process coalesces its own triggers.
PENDING = "incidents:pipeline-queued"
PENDING_SECONDS = 600


def _enqueue() -> None:
    if not conf.queue_after_commit():
        return
    try:
        if not cache.add(PENDING, True, PENDING_SECONDS):
            return  # a run is queued and not started: it will read these events
        async_task(TASK, task_name="incidents-process-events")
    except Exception:  # a lost trigger is caught up by the periodic schedule
        cache.delete(PENDING)
        logger.exception("could not queue the incident pipeline")


def run_started() -> None:
    """The pipeline is running: a trigger from now on queues the next run."""
    cache.delete(PENDING)


def _scan_run_saved(sender: Any, instance: ScanRun, **kwargs: Any) -> None:
    if instance.status != ScanRun.Status.RUNNING:
        transaction.on_commit(_enqueue, robust=True)


def _audit_saved(sender: Any, instance: AuditEntry, created: bool, **kwargs: Any) -> None:
    if created and instance.event == AuditEntry.Event.AFTER:
        transaction.on_commit(_enqueue, robust=True)


def connect() -> None:
    post_save.connect(_scan_run_saved, sender=ScanRun, dispatch_uid="incidents-scan-run")
    post_save.connect(_audit_saved, sender=AuditEntry, dispatch_uid="incidents-audit")
