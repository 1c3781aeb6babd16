"""`manage.py deploy_prepare`: what a deployment runs once before new pods start (the chart's
pre-upgrade Job): validate the rubrics, migrate, apply the reviewed remediation catalog, and sync
the scan and remediation schedules. Every step is idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

STEPS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("validate_rubrics", {}),
    ("migrate", {"interactive": False}),
    ("load_catalog", {}),
    ("setup_schedules", {}),
    ("setup_remediation_schedules", {}),
    ("setup_incident_schedules", {}),
    ("setup_recommendation_schedules", {}),
    ("setup_retention_schedule", {}),
    ("setup_dashboard_schedules", {}),
    ("setup_collector_schedules", {}),
)


class Command(BaseCommand):
    help = "Prepare the database and data for a new release (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for name, kwargs in STEPS:
            self.stdout.write(f"→ {name}")
            call_command(name, **kwargs)
        self.stdout.write(self.style.SUCCESS("Ready for the new release."))
