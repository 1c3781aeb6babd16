"""`manage.py setup_classification_schedules`: the candidate sweep's schedule (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rubrics_app.schedules import schedules_sync


class Command(BaseCommand):
    help = "Create or update the periodic sweep of classification candidates left waiting."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in schedules_sync():
            self.stdout.write(f"schedule {name}")
