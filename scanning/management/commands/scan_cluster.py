"""`manage.py scan_cluster NAME [--tier N]`: scan one cluster now, with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from labs.models import Cluster
from scanning.models import ScanRun
from scanning.services import scan_run_execute

BAR_WIDTH = 30


def progress_line(run: ScanRun) -> str:
    done = int(BAR_WIDTH * run.progress_pct / 100)
    bar = "#" * done + "-" * (BAR_WIDTH - done)
    return f"[{bar}] {run.progress_pct:3d}% {run.objects_read:>7} objects  {run.phase}"


class Command(BaseCommand):
    help = "Scan one cluster now at one tier (default 3: full evidence)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--tier", type=int, choices=[1, 2, 3, 4], default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cluster = Cluster.objects.get(name=options["name"])
        except Cluster.DoesNotExist as exc:
            known = ", ".join(Cluster.objects.order_by("name").values_list("name", flat=True))
            raise CommandError(
                f"no cluster named {options['name']!r}; known clusters: {known or 'none'}"
            ) from exc
        run = scan_run_execute(
            cluster=cluster, tier=options["tier"], force=True, on_progress=self._show
        )
        self.stdout.write("\r" + progress_line(run) + "\n")
        style = self.style.SUCCESS if run.status == ScanRun.Status.SUCCEEDED else self.style.ERROR
        self.stdout.write(style(f"{cluster.name}: {run.summary}"))
        for error in run.errors:
            self.stdout.write(f"  {error}")
        if run.status != ScanRun.Status.SUCCEEDED:
            raise CommandError(f"scan of {cluster.name} {run.status}")

    def _show(self, run: ScanRun) -> None:
        self.stdout.write("\r" + progress_line(run), ending="")
        self.stdout.flush()
