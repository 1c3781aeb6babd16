"""Every periodic django-q2 schedule is created here, by `schedules_sync`.

Each app declares its schedules as `ScheduleSpec`s (scan tiers in `scanning.schedules`,
remediation's jobs in `remediation.schedules`, the daily prune below); one sync writes them.
A schedule is found by its name, so a deployed one is updated in place, never duplicated; one
that is already right is not touched, so re-running never shifts its `next_run`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

PRUNE_SCHEDULE = "retention-prune"
PRUNE_TASK = "stargate.tasks.prune_old_rows"
PRUNE_AT = time(3, 17)  # UTC: a quiet hour, off the scan schedules' round minutes


@dataclass(frozen=True)
class ScheduleSpec:
    """One repeating schedule. `next_run` is only the first run of a new or changed one."""

    name: str
    func: str
    minutes: int | None = None  # every N minutes; None with schedule_type DAILY etc.
    schedule_type: str = Schedule.MINUTES
    kwargs: dict[str, Any] = field(default_factory=dict)
    next_run: datetime | None = None

    def schedule_fields(self) -> dict[str, Any]:
        return {
            "func": self.func,
            "args": None,
            # django-q2 parses it with ast.literal_eval
            "kwargs": repr(self.kwargs) if self.kwargs else None,
            "schedule_type": self.schedule_type,
            "minutes": self.minutes,
            "repeats": -1,
        }


def schedules_sync(
    specs: Iterable[ScheduleSpec], *, prune_prefix: str = "", now: datetime | None = None
) -> list[str]:
    """Create or update the schedules; returns the names that changed. With `prune_prefix`,
    schedules of that prefix that are no longer specified are deleted (and listed)."""
    specs = list(specs)
    names = [spec.name for spec in specs]
    changed: list[str] = []
    with transaction.atomic():
        existing = {s.name: s for s in Schedule.objects.filter(name__in=names)}
        for spec in specs:
            fields = spec.schedule_fields()
            current = existing.get(spec.name)
            if current is not None and _same(current, fields):
                continue
            next_run = spec.next_run or now or timezone.now()
            Schedule.objects.update_or_create(
                name=spec.name, defaults={**fields, "next_run": next_run}
            )
            changed.append(spec.name)
        if prune_prefix:
            stale = Schedule.objects.filter(name__startswith=prune_prefix).exclude(name__in=names)
            changed.extend(stale.values_list("name", flat=True))
            stale.delete()
    return changed


def _same(schedule: Schedule, fields: dict[str, Any]) -> bool:
    return all(getattr(schedule, name) == value for name, value in fields.items())


def next_prune_at(now: datetime) -> datetime:
    today = datetime.combine(now.date(), PRUNE_AT, tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


def retention_schedule_sync(now: datetime | None = None) -> bool:
    """Create or update the daily prune schedule; True when it changed."""
    spec = ScheduleSpec(
        name=PRUNE_SCHEDULE,
        func=PRUNE_TASK,
        schedule_type=Schedule.DAILY,
        next_run=next_prune_at(now or timezone.now()),
    )
    return bool(schedules_sync([spec]))
