"""Collector freshness per source, from `collectors.selectors.source_gauges` (its state rows)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from collectors.selectors import FRESHNESS_CODES, source_gauges


def collectors(now: datetime) -> Iterator[Metric]:
    freshness = GaugeMetricFamily(
        "stargate_collector_freshness",
        "1 for the source's current freshness state (fresh, aging, stale, never), 0 for the others.",
        labels=["source", "state"],
    )
    age = GaugeMetricFamily(
        "stargate_collector_last_success_age_seconds",
        "Seconds since the source's last successful collection (absent if it never succeeded).",
        labels=["source"],
    )
    failures = GaugeMetricFamily(
        "stargate_collector_consecutive_failures",
        "Failed collections of the source in a row since its last success.",
        labels=["source"],
    )
    configured = GaugeMetricFamily(
        "stargate_collector_configured",
        "1 when the source is configured (its collector runs), 0 when it is not.",
        labels=["source"],
    )
    for row in source_gauges(now):
        source = str(row["source"])
        for state in FRESHNESS_CODES:
            freshness.add_metric([source, state], 1.0 if row["state"] == state else 0.0)
        if float(row["age_seconds"]) >= 0:
            age.add_metric([source], float(row["age_seconds"]))
        failures.add_metric([source], float(row["consecutive_failures"]))
        configured.add_metric([source], float(row["configured"]))
    yield from (freshness, age, failures, configured)
