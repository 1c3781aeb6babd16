"""`manage.py eval_classifier [--model M]`: the labelled set (the simulated fleet's failure kinds
with their deterministic classes hidden, plus every reviewed case) through the configured model;
prints accuracy, a confusion matrix, cost and latency, so an operator can compare models."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rubrics_app.classification.evalset import (
    EvalCase,
    eval_run,
    generated_cases,
    recorded_cases,
)
from rubrics_app.llm.client import litellm_module
from rubrics_app.llm.errors import LLMDisabled, LLMUnavailable
from rubrics_app.prompts import active_prompts
from rubrics_app.registry import scan_rubrics
from stargate.seams import classifier_eval_cases


class Command(BaseCommand):
    help = "Run the labelled set through the model: accuracy, confusion matrix, cost, latency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--model", default="", help="LiteLLM model (default: the prompt's)")
        parser.add_argument("--no-generated", action="store_true", help="skip the fleet's cases")
        parser.add_argument("--no-recorded", action="store_true", help="skip reviewed cases")
        parser.add_argument("--limit", type=int, default=0, help="at most N cases (0: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        prompt = active_prompts().get("classify")
        model = options["model"] or prompt.model or settings.LLM_MODEL
        cases: list[EvalCase] = []
        if not options["no_generated"]:
            generated = generated_cases(classifier_eval_cases())
            if not generated:
                self.stdout.write("No generated cases (STARGATE_CLASSIFIER_EVAL_CASES is empty).")
            cases += generated
        if not options["no_recorded"]:
            cases += recorded_cases()
        if options["limit"]:
            cases = cases[: options["limit"]]
        if not cases:
            raise CommandError("no labelled case to run")
        rubrics = scan_rubrics()
        litellm_module()  # imported once here, so the first case's latency is the model's
        self.stdout.write(f"{len(cases)} labelled cases through {model}")
        verbose = options["verbosity"] > 1
        try:
            report = eval_run(
                cases,
                prompt=prompt,
                model=model,
                known_classes=set(rubrics.classes),
                action_names=set(rubrics.actions.values()),
                progress=(
                    (lambda c, p: self.stdout.write(f"  {c.name}: {c.expected} → {p}"))
                    if verbose
                    else None
                ),
            )
        except (LLMDisabled, LLMUnavailable) as exc:
            raise CommandError(f"the model cannot be asked: {exc}") from exc
        for line in report.lines():
            self.stdout.write(line)
