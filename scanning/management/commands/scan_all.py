"""`manage.py scan_all [--tier N]`: scan every enabled cluster at once, then a summary."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from scanning.models import ScanRun
from scanning.services import clusters_scan


class Command(BaseCommand):
    help = "Scan every enabled cluster now, in parallel, at one tier (default 3)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tier", type=int, choices=[1, 2, 3, 4], default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        runs = clusters_scan(tier=options["tier"], on_done=self._show)
        ok = sum(1 for run in runs if run.status == ScanRun.Status.SUCCEEDED)
        objects = sum(run.objects_read for run in runs)
        labs = sum(run.namespaces_seen for run in runs)
        self.stdout.write(
            f"\n{ok}/{len(runs)} clusters scanned, {objects} objects read, {labs} lab namespaces."
        )

    def _show(self, run: ScanRun) -> None:
        style = self.style.SUCCESS if run.status == ScanRun.Status.SUCCEEDED else self.style.ERROR
        line = f"{run.cluster.name:<30} {run.summary}"
        self.stdout.write(style(line) + (f"  ({run.errors[-1]})" if run.errors else ""))
