"""`manage.py refresh_recommendations`: run one policy cycle now and print what changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from recommendations.services import recommendations_refresh


class Command(BaseCommand):
    help = "Evaluate the policy rules now and store the recommendations."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-cleanup", action="store_true", help="skip the live cleanup reads of clusters"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(recommendations_refresh(live_cleanup=not options["no_cleanup"])))
