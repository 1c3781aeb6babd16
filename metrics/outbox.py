"""Notifications pending and dead-lettered, from the outbox (`notifications.selectors`)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from notifications.selectors import state_counts


def notifications() -> Iterator[Metric]:
    counts = state_counts()
    yield GaugeMetricFamily(
        "stargate_notifications_pending",
        "Notifications written to the outbox and not delivered yet (retries included).",
        value=counts.get("pending", 0),
    )
    yield GaugeMetricFamily(
        "stargate_notifications_dead_lettered",
        "Notifications that gave up after their last attempt, waiting for a retry by a person.",
        value=counts.get("dead", 0),
    )
