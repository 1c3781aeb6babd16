"""Collector freshness (`collectors.selectors.source_gauges`), read at scrape time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from collectors.models import SourceState
from metrics.tests.scrape import TOKEN, scrape, value

pytestmark = pytest.mark.django_db

STATES = ("fresh", "aging", "stale", "never")


@pytest.fixture(autouse=True)
def _token(settings) -> None:
    settings.METRICS_TOKEN = TOKEN


def _state(
    name: str, seconds_ago: float | None, failures: int = 0, *, configured: bool = True
) -> None:
    now = timezone.now()
    SourceState.objects.create(
        name=name,
        configured=configured,
        interval_seconds=60,
        last_success_at=None if seconds_ago is None else now - timedelta(seconds=seconds_ago),
        last_attempt_at=now,
        consecutive_failures=failures,
    )


def test_each_source_has_its_freshness_age_and_failures_in_a_row(client) -> None:
    _state("aap", 30)  # fresh: under max(300 s, 1.5 x 60 s)
    _state("labagator", 600, failures=2)  # aging: under max(900 s, 3 x 60 s)
    _state("sandbox_api", 4000, failures=7)  # stale
    _state("zerotouch", None, failures=1, configured=False)  # never succeeded

    families = scrape(client)

    freshness = {
        (s.labels["source"], s.labels["state"]): s.value
        for s in families["stargate_collector_freshness"]
    }
    expected = {"aap": "fresh", "labagator": "aging", "sandbox_api": "stale", "zerotouch": "never"}
    for source, current in expected.items():
        assert {st: freshness[(source, st)] for st in STATES} == {
            st: 1.0 if st == current else 0.0 for st in STATES
        }
    # every known source is listed, a source never run as `never`
    assert freshness[("babylon", "never")] == 1.0
    assert value(families, "stargate_collector_configured", source="zerotouch") == 0
    assert value(families, "stargate_collector_configured", source="aap") == 1

    age = value(families, "stargate_collector_last_success_age_seconds", source="labagator")
    assert age == pytest.approx(600, abs=30)
    assert (
        value(families, "stargate_collector_last_success_age_seconds", source="zerotouch") is None
    )
    assert value(families, "stargate_collector_consecutive_failures", source="sandbox_api") == 7
    assert value(families, "stargate_collector_consecutive_failures", source="aap") == 0
    assert value(families, "stargate_collector_consecutive_failures", source="babylon") == 0
