"""Budget, hourly cap and breaker: state in the database, shared by every worker process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from rubrics_app.llm.budget import breaker_check, breaker_failure, breaker_success, budget_check
from rubrics_app.llm.client import llm_call
from rubrics_app.llm.errors import LLMCallFailed, LLMUnavailable
from rubrics_app.models import LLMCall
from simulator.llm import Fault

ROOT = Path(__file__).resolve().parents[2]


def _classify(prompt_set):
    values = {"evidence": {"reason": "CrashLoopBackOff"}, "known_classes": ["crashloop"]}
    return llm_call(prompt=prompt_set.get("classify"), values=values)


def _spent(tokens: int = 0, cost: float = 0.0, at=None) -> None:
    LLMCall.objects.create(
        prompt_id="classify",
        prompt_version="1.0",
        model="m",
        total_tokens=tokens,
        cost_usd=cost,
        outcome="success",
        bundle_digest="0" * 64,
        called_at=at or timezone.now(),
    )


@pytest.mark.smoke
def test_the_breaker_opens_after_n_failures_and_fails_fast(db, llm, prompt_set, settings):
    settings.LLM_RETRIES = 0
    settings.LLM_BREAKER_FAILURES = 3
    llm.always(Fault("http_500"))
    for _ in range(3):
        with pytest.raises(LLMCallFailed):
            _classify(prompt_set)
    with pytest.raises(LLMUnavailable, match="temporarily unavailable"):
        _classify(prompt_set)
    assert len(llm.requests) == 3  # nothing sent while open
    assert LLMCall.objects.count() == 3


@pytest.mark.smoke
def test_the_breaker_half_opens_after_m_seconds_and_a_success_closes_it(db, settings):
    settings.LLM_BREAKER_FAILURES = 2
    settings.LLM_BREAKER_OPEN_SECONDS = 60
    now = timezone.now()
    breaker_failure(now=now)
    breaker_check(now=now)  # one failure: still closed
    breaker_failure(now=now)
    with pytest.raises(LLMUnavailable):
        breaker_check(now=now + timedelta(seconds=59))
    breaker_check(now=now + timedelta(seconds=61))  # half-open: one call may try
    breaker_failure(now=now + timedelta(seconds=61))  # and failing reopens it at once
    with pytest.raises(LLMUnavailable):
        breaker_check(now=now + timedelta(seconds=62))
    breaker_success()
    breaker_check(now=now + timedelta(seconds=62))


@pytest.mark.smoke
def test_a_success_resets_the_count(db, llm, prompt_set, settings):
    settings.LLM_RETRIES = 0
    settings.LLM_BREAKER_FAILURES = 2
    llm.script(Fault("http_500"))
    with pytest.raises(LLMCallFailed):
        _classify(prompt_set)
    _classify(prompt_set)
    llm.script(Fault("http_500"))
    with pytest.raises(LLMCallFailed):
        _classify(prompt_set)
    _classify(prompt_set)  # one failure since the success: still closed


@pytest.mark.smoke
def test_the_daily_token_and_cost_budgets_stop_calls(db, settings):
    settings.LLM_DAILY_TOKEN_BUDGET = 1000
    settings.LLM_DAILY_COST_BUDGET_USD = 1.0
    settings.LLM_CALLS_PER_HOUR = 0
    now = timezone.now()
    _spent(tokens=999, cost=0.5)
    _spent(tokens=5000, cost=5.0, at=now - timedelta(days=1, hours=1))  # yesterday's
    budget_check(now=now)
    _spent(tokens=1)
    with pytest.raises(LLMUnavailable, match="daily token budget"):
        budget_check(now=now)
    settings.LLM_DAILY_TOKEN_BUDGET = 0  # no limit
    _spent(cost=0.5)
    with pytest.raises(LLMUnavailable, match="daily cost budget"):
        budget_check(now=now)


@pytest.mark.smoke
def test_the_hourly_cap_stops_calls_without_sending(db, llm, prompt_set, settings):
    settings.LLM_CALLS_PER_HOUR = 2
    _classify(prompt_set)
    _classify(prompt_set)
    with pytest.raises(LLMUnavailable, match="hourly call cap"):
        _classify(prompt_set)
    assert len(llm.requests) == 2


WORKER = """
import json, os, sys
seen = []
sys.addaudithook(lambda event, args: seen.append([event, repr(args[1] if event == "socket.connect"
                 else args[0])]) if event in ("socket.connect", "socket.getaddrinfo") else None)
import stargate.settings as configured
configured.DATABASES["default"]["NAME"] = sys.argv[1]
import django
django.setup()
from rubrics_app.llm.client import llm_call
from rubrics_app.llm.errors import LLMCallFailed
from rubrics_app.prompts import active_prompts
values = {"evidence": {"reason": "CrashLoopBackOff"}, "known_classes": ["crashloop"]}
try:
    llm_call(prompt=active_prompts().get("classify"), values=values)
    print(json.dumps({"outcome": "success", "connections": seen}))
except LLMCallFailed as exc:
    print(json.dumps({"outcome": exc.call.outcome, "connections": seen}))
"""


def _worker(llm, settings) -> dict:
    """One call from another process (a second worker), against the same database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stargate.settings",
        "STARGATE_LLM_API_BASE": llm.url,
        "STARGATE_LLM_API_KEY": "sim-key",
        "STARGATE_LLM_RETRIES": "0",
        "STARGATE_LLM_BREAKER_FAILURES": str(settings.LLM_BREAKER_FAILURES),
    }
    if not env.get("STARGATE_DATABASE_URL"):
        env["STARGATE_DATA_DIR"] = str(Path(settings.DATABASES["default"]["NAME"]).parent)
    name = str(connection.settings_dict["NAME"])
    done = subprocess.run(
        [sys.executable, "-c", WORKER, name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.smoke
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_workers_share_the_breaker_and_litellm_stays_on_loopback(llm, prompt_set, settings):
    settings.LLM_RETRIES = 0
    settings.LLM_BREAKER_FAILURES = 3
    llm.always(Fault("http_500"))
    for _ in range(2):
        with pytest.raises(LLMCallFailed):
            _classify(prompt_set)
    other = _worker(llm, settings)  # the third consecutive failure, in another process
    assert other["outcome"] == "server_error"
    with pytest.raises(LLMUnavailable, match="breaker is open"):
        _classify(prompt_set)
    assert len(llm.requests) == 3
    # LiteLLM was imported and called in that process: it reached nothing but loopback.
    hosts = {json.dumps(c) for c in other["connections"]}
    port = llm.url.rsplit(":", 1)[1].split("/")[0]
    assert any(port in target for _, target in other["connections"]), hosts
    for event, target in other["connections"]:
        assert any(h in target for h in ("127.0.0.1", "localhost", "/")), (event, hosts)
