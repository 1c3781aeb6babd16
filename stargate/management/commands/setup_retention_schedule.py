"""`manage.py setup_retention_schedule`: create or update the daily prune schedule (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from stargate.schedules import PRUNE_SCHEDULE, retention_schedule_sync


class Command(BaseCommand):
    help = "Create or update the django-q2 schedule of the daily retention prune."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = retention_schedule_sync()
        self.stdout.write(f"{PRUNE_SCHEDULE}: {'synced' if changed else 'unchanged'}")
