"""A system check so that `manage.py check`, `migrate` and `serve` refuse an invalid rubric set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core.checks import CheckMessage, Error

from .loader import RubricFileError
from .registry import active_rubrics, active_rubrics_clear


def rubrics_valid(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    active_rubrics_clear()
    try:
        active_rubrics()
    except RubricFileError as exc:
        hint = "Fix the file, then run `manage.py validate_rubrics`."
        return [Error(str(exc), hint=hint, id="rubrics.E001")]
    return []


def prompts_valid(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[CheckMessage]:
    from .prompts import PromptFileError, active_prompts, active_prompts_clear

    active_prompts_clear()
    try:
        active_prompts()
    except PromptFileError as exc:
        hint = "Fix the file, then run `manage.py validate_prompts`."
        return [Error(str(exc), hint=hint, id="rubrics.E002")]
    return []
