"""Delivery every minute: retries come due, held messages leave quiet hours and rate limits,
and a delivery queued after a commit but lost is made up."""

from __future__ import annotations

from stargate.schedules import ScheduleSpec
from stargate.schedules import schedules_sync as specs_sync

SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec("notifications-deliver", "notifications.tasks.deliver_due", 1),
)


def schedules_sync() -> list[str]:
    specs_sync(SCHEDULES)
    return [spec.name for spec in SCHEDULES]
