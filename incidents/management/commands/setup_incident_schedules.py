"""`manage.py setup_incident_schedules`: create or update the pipeline's schedule (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from incidents.schedules import schedules_sync


class Command(BaseCommand):
    help = "Create or update the incident pipeline's periodic schedule."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in schedules_sync():
            self.stdout.write(f"schedule {name}")
