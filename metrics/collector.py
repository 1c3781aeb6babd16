"""The scrape-time collector: every value comes from the database when Prometheus asks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils import timezone
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector, CollectorRegistry

from metrics import outbox, sources, state, totals


class StarGateCollector(Collector):
    def collect(self) -> Iterable[Metric]:
        now = timezone.now()
        yield from state.labs()
        yield from state.clusters(now)
        yield from state.incidents()
        yield from state.breakers(now)
        yield from sources.collectors(now)
        yield from outbox.notifications()
        yield from totals.totals()

    def describe(self) -> Iterator[Metric]:
        return iter(())  # registering reads nothing; every scrape reads the database


def registry() -> CollectorRegistry:
    """A registry for one scrape (nothing kept between scrapes)."""
    found = CollectorRegistry(auto_describe=False)
    found.register(StarGateCollector())
    return found
