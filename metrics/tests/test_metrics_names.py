"""The PrometheusRule and the Grafana dashboard (deploy/stargate) query only series `/metrics`
exports, and every name follows Prometheus' conventions."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from collectors.models import SourceState
from incidents.models import Incident
from labs.tests import factories
from metrics.tests.scrape import TOKEN, scrape
from rubrics_app.models import LLMBreaker
from scanning.models import ScanRun
from stargate import counters

pytestmark = pytest.mark.django_db

CHART = Path(__file__).resolve().parents[2] / "deploy" / "stargate"
QUERIES = [CHART / "templates" / "prometheusrule.yaml", CHART / "dashboards" / "stargate.json"]
# Exported only when the notifications app is installed (metrics.outbox).
OUTBOX = {"stargate_notifications_pending", "stargate_notifications_dead_lettered"}


def _every_family(client, settings) -> set[str]:
    settings.METRICS_TOKEN = TOKEN
    east = factories.cluster("east", reachable=True)
    factories.lab_instance(on=east)
    now = timezone.now()
    ScanRun.objects.create(
        cluster=east, tier=1, status="succeeded", started_at=now, finished_at=now
    )
    Incident.objects.create(kind="node", key="k", title="t", opened_at=now, updated_at=now)
    LLMBreaker.objects.create(name="llm", open_until=now + timedelta(seconds=5))
    SourceState.objects.create(name="aap", configured=True, last_success_at=now)
    labels = {"cluster": "east", "tier": "1"}
    counters.counter_add("stargate_scans", {**labels, "status": "succeeded"})
    counters.histogram_observe("stargate_scan_duration_seconds", 1.5, labels, counters.SCAN_BUCKETS)
    counters.counter_add("stargate_remediation_actions", {"action": "a", "outcome": "succeeded"})
    counters.counter_add("stargate_incidents_opened", {"kind": "node"})
    endpoint = {"endpoint": "classify"}
    counters.counter_add("stargate_llm_calls", {**endpoint, "success": "true"})
    counters.counters_add("stargate_llm_tokens", {"prompt": 10, "completion": 5}, endpoint)
    counters.counter_add("stargate_llm_cost_usd", endpoint, 0.01)
    counters.histogram_observe(
        "stargate_llm_call_duration_seconds", 2, endpoint, counters.LLM_BUCKETS
    )
    return {sample.name for samples in scrape(client).values() for sample in samples}


def test_rules_and_dashboard_query_only_exported_series(client, settings) -> None:
    exported = _every_family(client, settings) | OUTBOX
    for path in QUERIES:
        queried = set(re.findall(r"\b(stargate_[a-z0-9_]+)", path.read_text(encoding="utf-8")))
        queried -= {"stargate_rules_test"}
        assert queried, path
        assert queried - exported == set(), path.name


def test_names_follow_prometheus_conventions(client, settings) -> None:
    for name in _every_family(client, settings):
        assert re.fullmatch(r"stargate_[a-z0-9_]+", name), name
        if "seconds" in name or "duration" in name or "age" in name:
            assert re.search(r"_seconds(_bucket|_count|_sum)?$", name), name
