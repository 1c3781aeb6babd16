"""`manage.py setup_recommendation_schedules`: create or update the policy engine's schedule."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from recommendations.schedules import schedules_sync


class Command(BaseCommand):
    help = "Create or update the policy engine's periodic schedule."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in schedules_sync():
            self.stdout.write(f"schedule {name}")
