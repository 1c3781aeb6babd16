"""`manage.py replay_rubrics [--rubrics DIR] [--evidence-dir DIR] [--now ISO]`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from rubrics_app.evidence_sources import folder_evidence, stored_evidence
from rubrics_app.loader import RubricFileError, rubric_set_load
from rubrics_app.registry import active_rubrics
from rubrics_app.replay import LabDiff, replay
from stargate.lib.evidence import NamespaceEvidence


class Command(BaseCommand):
    help = (
        "Evaluate a changed rubric set against stored evidence and print which labs would change "
        "outcome, and why, before the change is rolled out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rubrics", type=Path, help="the candidate rubric folder")
        parser.add_argument(
            "--evidence-dir",
            type=Path,
            help="JSON NamespaceEvidence files (or capture folders) instead of the stored evidence",
        )
        parser.add_argument("--now", help="the clock, ISO 8601 (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            current = active_rubrics()
            candidate = rubric_set_load(options["rubrics"]) if options["rubrics"] else current
        except RubricFileError as exc:
            raise CommandError(str(exc)) from exc
        now = datetime.fromisoformat(options["now"]) if options["now"] else timezone.now()
        source = options["evidence_dir"]
        items = folder_evidence(source) if source else stored_evidence()
        counter = _Counter(items)
        diffs = [self._print(diff) for diff in replay(counter, current, candidate, now)]
        self.stdout.write(f"{len(diffs)} of {counter.count} labs would change outcome.")

    def _print(self, diff: LabDiff) -> LabDiff:
        self.stdout.write(f"{diff.label}: {diff.before.value} → {diff.after.value}")
        for rubric in diff.rubrics:
            why = f" — {rubric.why}" if rubric.why else ""
            self.stdout.write(f"  {rubric.rubric_id}: {rubric.before} → {rubric.after}{why}")
        return diff


class _Counter:
    def __init__(self, items: Iterable[tuple[str, NamespaceEvidence]]) -> None:
        self.items, self.count = items, 0

    def __iter__(self) -> Iterator[tuple[str, NamespaceEvidence]]:
        for item in self.items:
            self.count += 1
            yield item
