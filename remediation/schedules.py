"""Remediation's periodic tasks, synced by `manage.py setup_remediation_schedules`."""

from __future__ import annotations

from dataclasses import replace

from remediation.conf import remediation_pass_minutes
from stargate.schedules import ScheduleSpec
from stargate.schedules import schedules_sync as specs_sync

PASS_SCHEDULE = "remediation-remediate-labs"  # noqa: S105 (a schedule name)
SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec(PASS_SCHEDULE, "remediation.tasks.remediate_labs", 5),
    ScheduleSpec("remediation-expire-requests", "remediation.tasks.expire_requests", 5),
    # Requests a killed worker left approved or executing (REMEDIATION_EXECUTION_TIMEOUT_MINUTES).
    ScheduleSpec("remediation-time-out-requests", "remediation.tasks.time_out_requests", 5),
    # Safety net for verification checks whose one-off schedule was lost.
    ScheduleSpec("remediation-verify-due", "remediation.tasks.verify_due", 1),
    # Approved requests and scans whose queued task Redis lost; runs a killed worker left.
    ScheduleSpec("remediation-recover-lost-work", "remediation.tasks.recover_lost_work", 1),
)


def schedules() -> tuple[ScheduleSpec, ...]:
    """The schedules, the pass every `STARGATE_REMEDIATION_PASS_MINUTES` (the demo: 1)."""
    minutes = remediation_pass_minutes()
    return tuple(
        replace(spec, minutes=minutes) if spec.name == PASS_SCHEDULE else spec for spec in SCHEDULES
    )


def schedules_sync() -> list[str]:
    """Create or update every remediation schedule; returns all their names."""
    specs = schedules()
    specs_sync(specs)
    return [spec.name for spec in specs]
