"""`manage.py setup_notification_schedules`: create or update the delivery and policy-notification schedules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from notifications.schedules import schedules_sync


class Command(BaseCommand):
    help = "Create or update the notification delivery's periodic schedule."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in schedules_sync():
            self.stdout.write(f"schedule {name}")
