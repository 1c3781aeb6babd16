"""Pytest plugin for mutation runs (`-p tests.mutation_profile`, see scripts/mutation.sh).

mutmut traces every call while it maps tests to functions, which makes Hypothesis' input
generation look slow and its deadlines fail: the runs need no deadline and no health checks, and
derandomized examples, so a mutant is killed or not the same way on every run.

mutmut forks each mutant's run from a process that already ran the tests unmutated: the
redaction caches (`lru_cache`) would answer from the original code, so every test starts with
them empty.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "mutation", deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
settings.load_profile("mutation")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    from stargate.lib import redact

    redact.is_secret_name.cache_clear()
    redact._redact_text.cache_clear()
