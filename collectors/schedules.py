"""One django-q2 schedule per source, each at its own interval (`manage.py
setup_collector_schedules`, run by `serve` and `deploy_prepare`)."""

from __future__ import annotations

from stargate.schedules import ScheduleSpec
from stargate.schedules import schedules_sync as specs_sync

from .conf import source_settings
from .runner import COLLECTORS

PREFIX = "collect-"


def schedules() -> list[ScheduleSpec]:
    specs = []
    for name in COLLECTORS:
        minutes = max(1, round(source_settings(name).interval_seconds / 60))
        specs.append(
            ScheduleSpec(
                f"{PREFIX}{name}", "collectors.tasks.collect", minutes, kwargs={"source": str(name)}
            )
        )
    return specs


def schedules_sync() -> list[str]:
    specs = schedules()
    specs_sync(specs, prune_prefix=PREFIX)
    return [spec.name for spec in specs]
