"""The LLM bench's scenario (`bench/bench_llm.py`) through the simulated LLM: its call counts,
not its times. 1,000 failing labs sharing 10 root causes cost at most 10 model calls; once those
10 are promoted to rules, a rescan has no candidate and costs none."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_llm.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_llm", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_llm"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_1000_labs_sharing_10_root_causes_cost_10_model_calls_then_none(
    llm: Any, settings: Any
) -> None:
    settings.LLM_CALLS_PER_HOUR = 0
    figures = _bench().run(labs=1000, causes=10, calls=lambda: len(llm.requests))
    assert figures.candidates == 1000
    assert figures.model_calls <= 10
    assert figures.proposals == 1000  # every lab got its answer, from the cache after the first
    assert figures.rules_active == 10
    assert (figures.rescan_candidates, figures.rescan_model_calls) == (0, 0)
