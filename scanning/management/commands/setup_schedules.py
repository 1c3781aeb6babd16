"""`manage.py setup_schedules`: create or update the scan schedules (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from labs.models import Cluster
from scanning.schedules import NAME_PREFIX, schedule_specs
from stargate.schedules import schedules_sync


class Command(BaseCommand):
    help = "Create or update the django-q2 scan schedules of every enabled cluster."

    def handle(self, *args: Any, **options: Any) -> None:
        clusters = list(Cluster.objects.filter(enabled=True).order_by("name"))
        specs = schedule_specs(clusters, timezone.now())
        # Schedules of disabled or deleted clusters are pruned by their prefix.
        schedules_sync(specs, prune_prefix=NAME_PREFIX)
        self.stdout.write(f"{len(specs)} scan schedules for {len(clusters)} clusters.")
