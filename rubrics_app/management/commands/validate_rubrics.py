"""`manage.py validate_rubrics [--rubrics DIR]`: validate every rubric file (CI runs it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rubrics_app.loader import RubricFileError, rubric_set_load


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # it reports the rubric error itself
    help = (
        "Validate the readiness rubrics and failure classes; exit non-zero naming file and field."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rubrics", type=Path, default=None, help="rubric folder")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["rubrics"] or Path(settings.RUBRICS_DIR)
        try:
            loaded = rubric_set_load(directory)
        except RubricFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{len(loaded.rubrics)} rubrics and {len(loaded.classes)} failure classes are valid "
            f"in {directory}: {', '.join(r.id for r in loaded.rubrics)}"
        )
