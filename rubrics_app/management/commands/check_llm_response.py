"""`manage.py check_llm_response --prompt classify --evidence E.json --response R.txt`: the
quality gate's verdict on one answer; exit 0 when accepted, 1 when rejected."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rubrics_app.llm.gate import gate_check
from rubrics_app.prompts import active_prompts
from rubrics_app.registry import active_rubrics


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot be read as UTF-8 text: {exc}") from exc


class Command(BaseCommand):
    help = "Run the LLM quality gate on a response; exit 0 when accepted, 1 when rejected."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--prompt", required=True, help="prompt id (classify, explain, ...)")
        parser.add_argument("--evidence", required=True, type=Path, help="a JSON object")
        parser.add_argument("--response", required=True, type=Path, help="the model's answer")
        parser.add_argument("--finish-reason", default="stop")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            prompt = active_prompts().get(options["prompt"])
        except KeyError as exc:
            raise CommandError(str(exc.args[0])) from exc
        try:
            evidence = json.loads(_read(options["evidence"]))
        except ValueError as exc:
            raise CommandError(f"{options['evidence']}: not JSON: {exc}") from exc
        if not isinstance(evidence, dict):
            raise CommandError(f"{options['evidence']}: must hold a JSON object")
        rubrics = active_rubrics()
        verdict = gate_check(
            prompt=prompt,
            response=_read(options["response"]),
            evidence=evidence,
            known_classes=rubrics.classes,
            action_names=set(rubrics.actions.values()),
            finish_reason=options["finish_reason"],
        )
        word = "accepted" if verdict.accepted else "rejected"
        self.stdout.write(f"{word} ({verdict.outcome})")
        for check in verdict.failed:
            kind = "required" if check.required else "optional"
            self.stdout.write(f"  failed {check.name} ({kind}): {check.detail}")
        if not verdict.accepted:
            sys.exit(1)
