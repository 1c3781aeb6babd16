"""The counters and histograms: durable totals kept as events happen, so they never go down
when retention prunes the rows they counted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from metrics.tests.scrape import TOKEN, scrape, value
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance
from rubrics_app.llm.client import llm_call
from scanning.models import ScanRun
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row, lab_pod, namespace_obj
from simulator import Store
from stargate import counters
from stargate.retention import prune_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _token(settings) -> None:
    settings.METRICS_TOKEN = TOKEN


def _store(name: str) -> Store:
    store = Store(name)
    store.load([namespace_obj("sandbox-m1-demo")])
    store.load([lab_pod("sandbox-m1-demo", "app-0")])
    return store


def test_scans_are_counted_and_timed_and_the_totals_survive_retention(
    client, simulator_server: Any
) -> None:
    sim = simulator_server(stores={"east": _store("east")})
    east = cluster_row(sim, "east")
    for _ in range(2):
        assert scan_run_execute(cluster=east, tier=1).status == ScanRun.Status.SUCCEEDED
    sim.inject("east", "error_500")
    scan_run_execute(cluster=east, tier=1, force=True)

    before = scrape(client)
    ok = {"cluster": "east", "tier": "1"}
    assert value(before, "stargate_scans_total", **ok, status="succeeded") == 2
    assert value(before, "stargate_scans_total", **ok, status="failed") == 1
    assert value(before, "stargate_scan_duration_seconds_count", **ok) == 3
    assert value(before, "stargate_scan_duration_seconds_bucket", **ok, le="+Inf") == 3
    assert value(before, "stargate_scan_duration_seconds_sum", **ok) > 0
    buckets = [
        s.value for s in before["stargate_scan_duration_seconds"] if s.name.endswith("_bucket")
    ]
    assert buckets == sorted(buckets), "buckets are cumulative"

    deleted = prune_all(now=timezone.now() + timedelta(days=30))
    assert deleted["scan_runs"] == 2  # the latest run of the tier stays
    after = scrape(client)
    for sample in ("stargate_scans_total", "stargate_scan_duration_seconds_count"):
        assert value(after, sample, **ok, status="succeeded") == value(
            before, sample, **ok, status="succeeded"
        )
    assert value(after, "stargate_scan_duration_seconds_count", **ok) == 3


def test_remediation_outcomes_are_counted_by_action(
    client,
    catalog,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        action_request_create(
            lab_instance=make_lab_instance(),
            action=catalog["restart-pod"],
            failure_class="crashloop",
            parameters={"pod": "web-1"},
        )
    refused = make_lab_instance(namespace="openshift-sandbox-x")
    action_request_create(
        lab_instance=refused,
        action=catalog["restart-pod"],
        failure_class="crashloop",
        parameters={"pod": "web-1"},
    )

    families = scrape(client)

    restart = {"action": "restart-pod"}
    assert (
        value(families, "stargate_remediation_actions_total", **restart, outcome="succeeded") == 1
    )
    assert (
        value(families, "stargate_remediation_actions_total", **restart, outcome="requested") == 2
    )
    assert value(families, "stargate_remediation_actions_total", outcome="before") is None


def test_llm_calls_tokens_and_cost_are_counted(client, llm, prompt_set) -> None:
    for _ in range(2):
        llm_call(
            prompt=prompt_set.get("classify"),
            values={"evidence": {"rubric": "r", "reason": "CrashLoopBackOff"}, "known_classes": []},
            fingerprint="fp-metrics",
        )

    families = scrape(client)

    classify = {"endpoint": "classify"}
    assert value(families, "stargate_llm_calls_total", **classify, success="true") == 2
    prompt_tokens = value(families, "stargate_llm_tokens_total", **classify, type="prompt")
    completion = value(families, "stargate_llm_tokens_total", **classify, type="completion")
    assert prompt_tokens and completion and prompt_tokens > 0
    cost = value(families, "stargate_llm_cost_usd_total", **classify)
    assert cost == pytest.approx(prompt_tokens / 1000 * 0.003 + completion / 1000 * 0.006)
    assert value(families, "stargate_llm_call_duration_seconds_count", **classify) == 2


def test_a_counter_never_goes_down() -> None:
    with pytest.raises(ValueError, match="never goes down"):
        counters.counter_add("stargate_x", {}, -1)


def test_totals_are_upserted_under_one_name_and_label_set() -> None:
    for _ in range(3):
        counters.counter_add("stargate_x", {"b": "2", "a": "1"})
    counters.counter_add("stargate_x", {"a": "1", "b": "2"}, 0.5)
    assert counters.counters_read("stargate_x") == [("stargate_x", {"a": "1", "b": "2"}, 3.5)]
