from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from collectors.schedules import schedules_sync


class Command(BaseCommand):
    help = "Create or update one periodic collection per source (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name in schedules_sync():
            self.stdout.write(f"scheduled {name}")
