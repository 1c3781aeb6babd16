"""`manage.py prune`: delete what is past its retention now (what the daily task does)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stargate.retention import BATCH_SIZE, RETENTIONS, prunable_counts, prune


class Command(BaseCommand):
    help = "Delete evidence revisions, state changes, node snapshots, scan runs and live events "
    help += "past their retention, in batches. The audit logs are never pruned."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only, delete nothing")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dry_run"]:
            for kind, count in prunable_counts().items():
                self.stdout.write(f"{kind}: {count} would be deleted")
            return
        for retention in RETENTIONS:
            days = retention.days()
            kept = f"older than {days} days" if days else "kept forever"
            count = prune(retention, batch_size=options["batch_size"])
            self.stdout.write(f"{retention.kind}: {count} deleted ({kept})")
