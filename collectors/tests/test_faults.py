"""Every HTTP source against every fault kind of its simulator: the error is classified and
masked on the source's state, the last good data is kept, and another source is not blocked."""

from __future__ import annotations

from typing import Any

import pytest

from collectors.models import CollectionRun, SourceState
from collectors.runner import source_run

from .conftest import NOW, Configure

pytestmark = pytest.mark.django_db

# source -> (simulator services to break, path the fault is narrowed to)
TARGETS: dict[str, tuple[tuple[str, ...], str]] = {
    "labagator": (("labagator",), ""),
    "launchpad": (("launchpad",), ""),
    "aap": (("aap-event0", "aap-event1"), ""),
    "demolition": (("demolition",), ""),
    "sandbox_api": (("sandbox_api",), ""),
    "zerotouch": (("zerotouch",), ""),
    "cluster_scheduler": (("cluster_scheduler",), ""),
    "prometheus": (("prometheus-sim-01", "prometheus-sim-02"), "/api/v1/query"),
    "alertmanager": (("prometheus-sim-01", "prometheus-sim-02"), "/api/v2/alerts"),
}
FAULTS = {
    "hang": "timeout",
    "error_500": "http_500",
    "unauthorized": "auth",
    "malformed_json": "parse",
    "refused": "connection",
}
PAGED = {"labagator": "labagator", "aap": "aap-event0"}


def _break(services: Any, source: str, mode: str, value: float | None = None) -> None:
    names, path = TARGETS[source]
    for name in names:
        services.inject(name, mode, value, path)


@pytest.mark.parametrize("source", list(TARGETS))
@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_fault_is_classified_and_keeps_the_last_good_data(
    configure: Configure, services: Any, fleet_clusters: list[Any], source: str, fault: str
) -> None:
    configure(source, timeout=0.5)
    first = source_run(source, now=NOW)
    assert first is not None and first.ok, first.error
    good = SourceState.objects.get(name=source)
    _break(services, source, fault, 1.5 if fault == "hang" else None)
    run = source_run(source, now=NOW)
    assert run is not None and not run.ok
    assert run.error_kind == FAULTS[fault], run.error
    state = SourceState.objects.get(name=source)
    assert state.last_error_kind == FAULTS[fault] and state.consecutive_failures == 1
    assert state.last_success_at == good.last_success_at
    assert state.summary == good.summary  # the last good data stays
    assert state.freshness(NOW) == "fresh"
    retried = 1 if fault in ("unauthorized", "malformed_json") else 2
    assert run.attempts == retried
    for secret in _secrets(services, source):
        assert secret not in state.last_error


def _secrets(services: Any, source: str) -> list[str]:
    names, _ = TARGETS[source]
    found = []
    for name in names:
        for value in services.credentials(name).values():
            if isinstance(value, str) and len(value) > 8 and not value.startswith("http"):
                found.append(value)
    return found


@pytest.mark.parametrize("source", list(PAGED))
def test_a_broken_next_link_fails_the_cycle(
    configure: Configure, services: Any, source: str
) -> None:
    configure(source, page_size=2)
    if source == "aap":
        for name in TARGETS["aap"][0]:
            services.server(name).data["max_page_size"] = 1
    try:
        _break(services, source, "broken_next")
        run = source_run(source, now=NOW)
    finally:
        for name in TARGETS["aap"][0]:
            services.server(name).data["max_page_size"] = 200
    assert run is not None
    if source == "aap" and run.ok:  # a controller with one page is unaffected; the other fails
        assert "HTTP 404" in run.summary["controller_errors"]["event0"]
    else:
        assert not run.ok and run.error_kind == "http_404", run.error


@pytest.mark.parametrize("source", list(PAGED))
def test_slow_pages_within_the_timeout_still_succeed(
    configure: Configure, services: Any, source: str
) -> None:
    configure(source, page_size=2, timeout=2.0)
    _break(services, source, "slow_pages", 0.05)
    run = source_run(source, now=NOW)
    assert run is not None and run.ok, run.error


def test_slow_pages_past_the_timeout_are_a_timeout(configure: Configure, services: Any) -> None:
    configure("labagator", page_size=2, timeout=0.3, retries=0)
    _break(services, "labagator", "slow_pages", 1.0)
    run = source_run("labagator", now=NOW)
    assert run is not None and run.error_kind == "timeout"


def test_retries_back_off(configure: Configure, services: Any) -> None:
    configure("zerotouch", retries=3, backoff_seconds=0.5)
    _break(services, "zerotouch", "error_500")
    waits: list[float] = []
    run = source_run("zerotouch", now=NOW, sleep=waits.append)
    assert run is not None and run.attempts == 4
    assert waits == [0.5, 1.0, 2.0]


def test_a_failing_source_does_not_block_another(configure: Configure, services: Any) -> None:
    configure("zerotouch")
    configure("demolition")
    _break(services, "zerotouch", "hang", 1.5)
    assert not source_run("zerotouch", now=NOW).ok  # type: ignore[union-attr]
    assert source_run("demolition", now=NOW).ok  # type: ignore[union-attr]
    assert CollectionRun.objects.filter(source="demolition", ok=True).exists()
