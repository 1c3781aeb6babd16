from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from collectors.runner import COLLECTORS, sources_run


class Command(BaseCommand):
    help = "Run collectors now (every source, or those named), one after the other."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="*", help=f"some of: {', '.join(COLLECTORS)}")

    def handle(self, *args: Any, **options: Any) -> None:
        unknown = set(options["sources"]) - set(COLLECTORS)
        if unknown:
            raise CommandError(f"unknown sources: {', '.join(sorted(unknown))}")
        for name, outcome in sources_run(options["sources"] or None).items():
            self.stdout.write(f"{name}: {outcome}")
