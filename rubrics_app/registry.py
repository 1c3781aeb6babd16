"""The rubric set the running process uses: loaded from `settings.RUBRICS_DIR` once, then cached."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from .loader import RubricSet, rubric_set_load


@cache
def _load(directory: Path) -> RubricSet:
    return rubric_set_load(directory)


def active_rubrics() -> RubricSet:
    return _load(Path(settings.RUBRICS_DIR))


def active_rubrics_clear() -> None:
    _load.cache_clear()
