"""`manage.py setup_schedules`: create or update the scan schedules (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from labs.models import Cluster
from scanning.schedules import NAME_PREFIX, schedule_specs


class Command(BaseCommand):
    help = "Create or update the django-q2 scan schedules of every enabled cluster."

    def handle(self, *args: Any, **options: Any) -> None:
        clusters = list(Cluster.objects.filter(enabled=True).order_by("name"))
        specs = schedule_specs(clusters, timezone.now())
        with transaction.atomic():
            existing = {s.name: s for s in Schedule.objects.filter(name__startswith=NAME_PREFIX)}
            for spec in specs:
                current = existing.pop(spec.name, None)
                fields = spec.as_schedule_fields()
                if current is not None and _same(current, fields):
                    continue  # keep next_run: re-running must not shift a running schedule
                Schedule.objects.update_or_create(name=spec.name, defaults=fields)
            # Schedules of disabled or deleted clusters.
            Schedule.objects.filter(pk__in=[s.pk for s in existing.values()]).delete()
        self.stdout.write(f"{len(specs)} scan schedules for {len(clusters)} clusters.")


def _same(schedule: Schedule, fields: dict[str, Any]) -> bool:
    return all(
        getattr(schedule, name) == value for name, value in fields.items() if name != "next_run"
    )
