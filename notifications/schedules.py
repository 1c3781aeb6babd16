"""Delivery every minute: retries come due, held messages leave quiet hours and rate limits,
and a delivery queued after a commit but lost is made up. Policy notifications every
`STARGATE_POLICY_NOTIFY_MINUTES` (1)."""

from __future__ import annotations

from django.conf import settings

from stargate.schedules import ScheduleSpec
from stargate.schedules import schedules_sync as specs_sync

SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec("notifications-deliver", "notifications.tasks.deliver_due", 1),
)


def specs() -> tuple[ScheduleSpec, ...]:
    policy = ScheduleSpec(
        "notifications-policy", "notifications.tasks.notify_policy", settings.POLICY_NOTIFY_MINUTES
    )
    return (*SCHEDULES, policy)


def schedules_sync() -> list[str]:
    wanted = specs()
    specs_sync(wanted)
    return [spec.name for spec in wanted]
