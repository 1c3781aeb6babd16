"""The policy engine's cycle: evaluate every rule on the collected sources (default 3 min)."""

from __future__ import annotations

from stargate.schedules import ScheduleSpec
from stargate.schedules import schedules_sync as specs_sync

SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec("recommendations-refresh", "recommendations.tasks.refresh_recommendations", 3),
)


def schedules_sync() -> list[str]:
    specs_sync(SCHEDULES)
    return [spec.name for spec in SCHEDULES]
