"""The platform's periodic tasks, synced by `manage.py setup_retention_schedule`."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_q.models import Schedule

PRUNE_SCHEDULE = "retention-prune"
PRUNE_TASK = "stargate.tasks.prune_old_rows"
PRUNE_AT = time(3, 17)  # UTC: a quiet hour, off the scan schedules' round minutes


def next_prune_at(now: datetime) -> datetime:
    today = datetime.combine(now.date(), PRUNE_AT, tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


def retention_schedule_sync(now: datetime | None = None) -> bool:
    """Create or update the daily prune schedule; True when it changed. A schedule already
    right keeps its `next_run`, so re-running never shifts it."""
    fields = {"func": PRUNE_TASK, "schedule_type": Schedule.DAILY, "repeats": -1}
    current = Schedule.objects.filter(name=PRUNE_SCHEDULE).first()
    if current is not None and all(getattr(current, k) == v for k, v in fields.items()):
        return False
    next_run = next_prune_at(now or timezone.now())
    Schedule.objects.update_or_create(
        name=PRUNE_SCHEDULE, defaults={**fields, "next_run": next_run}
    )
    return True
