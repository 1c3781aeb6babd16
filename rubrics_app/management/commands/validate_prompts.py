"""`manage.py validate_prompts [--prompts DIR]`: validate every prompt file (CI runs it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rubrics_app.prompts import PromptFileError, prompt_set_load


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # it reports the prompt error itself
    help = "Validate the LLM prompt files; exit non-zero naming file and field."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--prompts", type=Path, default=None, help="prompt folder")

    def handle(self, *args: Any, **options: Any) -> None:
        directory = options["prompts"] or Path(settings.PROMPTS_DIR)
        try:
            loaded = prompt_set_load(directory)
        except PromptFileError as exc:
            raise CommandError(str(exc)) from exc
        listed = ", ".join(f"{p.id} {p.version}" for p in loaded.prompts.values())
        self.stdout.write(f"{len(loaded.prompts)} prompts are valid in {directory}: {listed}")
