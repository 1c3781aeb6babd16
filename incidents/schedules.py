"""The pipeline's periodic run: a safety net behind the run queued after each scan run and
remediation outcome (`incidents.triggers`)."""

from __future__ import annotations

from stargate.schedules import ScheduleSpec
from stargate.schedules import schedules_sync as specs_sync

SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec("incidents-process-events", "incidents.tasks.process_events", 1),
)


def schedules_sync() -> list[str]:
    specs_sync(SCHEDULES)
    return [spec.name for spec in SCHEDULES]
