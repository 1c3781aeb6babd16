"""Queue the pipeline after the commits that feed it: a scan run's end (verdicts, reachability,
faults) and a remediation outcome. The worker runs it; a scan never waits for it."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django_q.tasks import async_task

from incidents import conf
from remediation.models import AuditEntry
from scanning.models import ScanRun

logger = logging.getLogger(__name__)
TASK = "incidents.tasks.process_events"


def _enqueue() -> None:
    if not conf.queue_after_commit():
        return
    try:
        async_task(TASK, task_name="incidents-process-events")
    except Exception:  # a lost trigger is caught up by the periodic schedule
        logger.exception("could not queue the incident pipeline")


def _scan_run_saved(sender: Any, instance: ScanRun, **kwargs: Any) -> None:
    if instance.status != ScanRun.Status.RUNNING:
        transaction.on_commit(_enqueue, robust=True)


def _audit_saved(sender: Any, instance: AuditEntry, created: bool, **kwargs: Any) -> None:
    if created and instance.event == AuditEntry.Event.AFTER:
        transaction.on_commit(_enqueue, robust=True)


def connect() -> None:
    post_save.connect(_scan_run_saved, sender=ScanRun, dispatch_uid="incidents-scan-run")
    post_save.connect(_audit_saved, sender=AuditEntry, dispatch_uid="incidents-audit")
