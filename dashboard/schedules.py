"""The dashboard's periodic task, synced by `manage.py setup_dashboard_schedules`."""

from __future__ import annotations

from stargate.schedules import ScheduleSpec
from stargate.schedules import schedules_sync as specs_sync

SCHEDULES: tuple[ScheduleSpec, ...] = (
    # The charts' rollup: often enough that a failure shows within minutes, cheap (3 queries).
    ScheduleSpec("dashboard-record-rollups", "dashboard.tasks.record_rollups", 5),
)


def schedules_sync() -> list[str]:
    """Create or update every dashboard schedule; returns all their names."""
    specs_sync(SCHEDULES)
    return [spec.name for spec in SCHEDULES]
