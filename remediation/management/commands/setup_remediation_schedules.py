from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from remediation.schedules import schedules_sync


class Command(BaseCommand):
    help = "Create or update remediation's periodic tasks (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in schedules_sync():
            self.stdout.write(f"scheduled {name}")
