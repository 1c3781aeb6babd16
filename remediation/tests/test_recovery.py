"""The recovery sweep: what a lost Redis or a killed worker dropped is found in the database.
(The same across real processes, Redis emptied: tests/test_several_processes.py.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_q.models import Schedule

from remediation.models import ActionRequest, AuditEntry
from remediation.recovery import approved_requests_requeue
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance
from scanning.models import ScanRun
from scanning.recovery import scan_runs_abandon, scan_schedules_requeue
from scanning.schedules import TASK

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
Status = ActionRequest.Status


def approved_left_waiting(catalog: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Approved, its queued execution lost (the on-commit enqueue never ran)."""
    with django_capture_on_commit_callbacks(execute=False):
        request = action_request_create(
            lab_instance=make_lab_instance(reachable=True),
            action=catalog["restart-pod"],
            failure_class="crashloop",
            parameters={"pod": "web-1"},
        )
    assert request.status == Status.APPROVED
    return request


def test_it_runs_an_approved_request_whose_task_was_lost_once(
    catalog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    request = approved_left_waiting(catalog, django_capture_on_commit_callbacks)
    assert approved_requests_requeue() == []  # within the grace: its task may still be queued
    later = timezone.now() + dt.timedelta(minutes=2)
    assert approved_requests_requeue(now=later) == [request.pk]  # tasks run inline here
    assert approved_requests_requeue(now=later) == []
    request.refresh_from_db()
    assert request.status == Status.SUCCEEDED
    assert request.audit_entries.filter(event=AuditEntry.Event.BEFORE).count() == 1


def test_it_fails_only_runs_older_than_the_task_timeout(settings: Any) -> None:
    lab = make_lab_instance()
    now = timezone.now()
    old = ScanRun.objects.create(
        cluster=lab.cluster, tier=2, started_at=now - dt.timedelta(hours=1)
    )
    young = ScanRun.objects.create(cluster=lab.cluster, tier=3, started_at=now)
    assert scan_runs_abandon(now=now) == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.status == ScanRun.Status.FAILED and "abandoned" in old.errors[-1]
    assert young.status == ScanRun.Status.RUNNING


def test_it_queues_again_a_fired_scan_schedule_whose_run_never_started() -> None:
    lab = make_lab_instance()
    now = timezone.now()
    Schedule.objects.create(
        name="scan-lost",
        func=TASK,
        kwargs=repr({"cluster_id": lab.cluster.pk, "tier": 1}),
        schedule_type=Schedule.MINUTES,
        minutes=5,
        next_run=now + dt.timedelta(minutes=2),
        task="lost",
    )
    Schedule.objects.create(
        name="scan-not-yet",
        func=TASK,
        kwargs=repr({"cluster_id": lab.cluster.pk, "tier": 2}),
        schedule_type=Schedule.MINUTES,
        minutes=5,
        next_run=now + dt.timedelta(minutes=4),
        task="recent",
    )
    assert scan_schedules_requeue(now=now) == ["scan-lost"]  # runs inline: the scan starts
    assert ScanRun.objects.filter(cluster=lab.cluster, tier=1).count() == 1
    assert scan_schedules_requeue(now=now) == []  # a run started since it fired
