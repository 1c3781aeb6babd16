"""One schedule helper for every app: idempotent, updates deployed schedules by name."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from stargate.schedules import ScheduleSpec, schedules_sync

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_it_creates_then_leaves_a_right_schedule_alone() -> None:
    spec = ScheduleSpec("job-a", "app.tasks.a", 5, kwargs={"x": 1}, next_run=NOW)
    assert schedules_sync([spec]) == ["job-a"]
    created = Schedule.objects.get(name="job-a")
    assert ast.literal_eval(created.kwargs) == {"x": 1}
    later = ScheduleSpec("job-a", "app.tasks.a", 5, kwargs={"x": 1}, next_run=NOW + timedelta(1))
    assert schedules_sync([later]) == []
    assert Schedule.objects.get(name="job-a").next_run == NOW


def test_it_updates_a_deployed_schedule_in_place() -> None:
    deployed = Schedule.objects.create(
        name="job-b", func="app.tasks.b", schedule_type=Schedule.MINUTES, minutes=5, repeats=-1
    )
    assert schedules_sync([ScheduleSpec("job-b", "app.tasks.b", 2)], now=NOW) == ["job-b"]
    (only,) = Schedule.objects.filter(name="job-b")
    assert (only.pk, only.minutes) == (deployed.pk, 2)


def test_it_prunes_schedules_of_its_prefix_only() -> None:
    for name in ("scan-old-tier1", "other-job"):
        Schedule.objects.create(name=name, func="x.y", schedule_type=Schedule.MINUTES, minutes=1)
    kept = ScheduleSpec("scan-new-tier1", "x.y", 1)
    assert set(schedules_sync([kept], prune_prefix="scan-")) == {"scan-new-tier1", "scan-old-tier1"}
    assert set(Schedule.objects.values_list("name", flat=True)) == {"scan-new-tier1", "other-job"}


def test_every_app_syncs_through_it_without_duplicates() -> None:
    Schedule.objects.create(
        name="remediation-verify-due", func="remediation.tasks.verify_due", minutes=3
    )
    for _ in range(2):
        call_command("setup_remediation_schedules", verbosity=0)
        call_command("setup_retention_schedule", verbosity=0)
        call_command("setup_dashboard_schedules", verbosity=0)
    names = list(Schedule.objects.values_list("name", flat=True))
    from dashboard.schedules import SCHEDULES as DASHBOARD
    from remediation.schedules import SCHEDULES as REMEDIATION

    assert len(names) == len(set(names)) == len(REMEDIATION) + 1 + len(DASHBOARD)
    assert Schedule.objects.get(name="remediation-verify-due").minutes == 1
