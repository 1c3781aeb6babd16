from __future__ import annotations

from pathlib import Path

import pytest

from rubrics_app.loader import RubricSet, rubric_set_load

RUBRICS_DIR = Path(__file__).resolve().parents[2] / "rubrics"


@pytest.fixture(scope="session")
def rubric_set() -> RubricSet:
    return rubric_set_load(RUBRICS_DIR)
