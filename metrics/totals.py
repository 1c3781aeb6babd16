"""Counters and histograms from the durable totals (`stargate.counters`): they never go down,
whatever retention prunes."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric

from stargate import counters

DOCS = {
    "stargate_scans": "Scan runs finished, by cluster, tier and status.",
    "stargate_remediation_actions": "Remediation request outcomes, by action and outcome.",
    "stargate_incidents_opened": "Incidents opened, by kind.",
    "stargate_llm_calls": "LLM calls, by endpoint (prompt) and success.",
    "stargate_llm_tokens": "LLM tokens, by endpoint and type (prompt, completion).",
    "stargate_llm_cost_usd": "Estimated LLM cost in US dollars, by endpoint.",
    "stargate_scan_duration_seconds": "Duration of the scan runs that ran, by cluster and tier.",
    "stargate_llm_call_duration_seconds": "Duration of LLM calls, retries included, by endpoint.",
}
BUCKETS: dict[str, Sequence[float]] = {
    "stargate_scan_duration_seconds": counters.SCAN_BUCKETS,
    "stargate_llm_call_duration_seconds": counters.LLM_BUCKETS,
}

LabelKey = tuple[tuple[str, str], ...]


def _key(labels: dict[str, str]) -> LabelKey:
    return tuple(sorted(labels.items()))


def _le(bound: str) -> float:
    return math.inf if bound == "+Inf" else float(bound)


def totals() -> Iterator[Metric]:
    plain: dict[str, dict[LabelKey, float]] = {}
    buckets: dict[str, dict[LabelKey, dict[float, float]]] = {}
    sums: dict[str, dict[LabelKey, float]] = {}
    for name, labels, value in counters.counters_read("stargate_"):
        if name.endswith(":bucket"):
            le = _le(labels.pop("le"))
            by_le = buckets.setdefault(name.removesuffix(":bucket"), {}).setdefault(
                _key(labels), {}
            )
            by_le[le] = by_le.get(le, 0.0) + value
        elif name.endswith(":sum"):
            sums.setdefault(name.removesuffix(":sum"), {})[_key(labels)] = value
        else:
            plain.setdefault(name, {})[_key(labels)] = value
    for name, series in sorted(plain.items()):
        yield _counter(name, series)
    for name, by_labels in sorted(buckets.items()):
        yield _histogram(name, by_labels, sums.get(name, {}))


def _counter(name: str, series: dict[LabelKey, float]) -> Metric:
    names = [k for k, _ in next(iter(series))]
    family = CounterMetricFamily(name, DOCS.get(name, name), labels=names)
    for key, value in sorted(series.items()):
        family.add_metric([v for _, v in key], value)
    return family


def _histogram(
    name: str, series: dict[LabelKey, dict[float, float]], sums: dict[LabelKey, float]
) -> Metric:
    names = [k for k, _ in next(iter(series))]
    family = HistogramMetricFamily(name, DOCS.get(name, name), labels=names)
    bounds = [*BUCKETS.get(name, ()), math.inf]
    for key, by_le in sorted(series.items()):
        cumulative = [(_bound(b), sum(n for le, n in by_le.items() if le <= b)) for b in bounds]
        family.add_metric([v for _, v in key], cumulative, sum_value=sums.get(key, 0.0))
    return family


def _bound(value: float) -> str:
    return "+Inf" if math.isinf(value) else format(float(value), "g")
