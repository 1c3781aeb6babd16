"""Fixtures shared with other apps' tests: the simulated cluster API and the simulated LLM."""

from __future__ import annotations

from remediation.tests.conftest import catalog  # noqa: F401
from rubrics_app.tests.conftest import llm, prompt_set  # noqa: F401
from simulator.tests.conftest import simulator_server  # noqa: F401
