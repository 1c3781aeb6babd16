"""Durable Prometheus totals: counters and histograms kept in the database as events happen.

Call these inside the transaction that writes the event: the total moves if and only if the
event is committed. Each call is one upsert statement (`INSERT … ON CONFLICT DO UPDATE`), safe
under concurrent workers on PostgreSQL and SQLite. `/metrics` (the `metrics` app) reads them at
scrape time; no process keeps any state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from django.db import connection

from stargate.models import MetricCounter

# Seconds. Scans last from well under a second (tier 1) to minutes (a large tier 3).
SCAN_BUCKETS: tuple[float, ...] = (0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
# Seconds (platform-contracts 15.1: 0.5 s to 90 s).
LLM_BUCKETS: tuple[float, ...] = (0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 90)


def labels_key(labels: Mapping[str, str]) -> str:
    return json.dumps(dict(labels), sort_keys=True, separators=(",", ":"))


def _upsert(rows: Sequence[tuple[str, str, float]]) -> None:
    table = connection.ops.quote_name(MetricCounter._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {table} (name, labels, value) VALUES {values} "  # noqa: S608 (quoted name)
        f"ON CONFLICT (name, labels) DO UPDATE SET value = {table}.value + excluded.value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [part for row in rows for part in row])


def counter_add(name: str, labels: Mapping[str, str], amount: float = 1.0) -> None:
    """Add `amount` (≥ 0) to the counter `name` (without `_total`) with these labels."""
    if amount < 0:
        raise ValueError("a counter never goes down")
    _upsert([(name, labels_key(labels), float(amount))])


def counters_add(name: str, amounts: Mapping[str, float], labels: Mapping[str, str]) -> None:
    """Several counters sharing a name and labels but one label (`type`), in one statement:
    `amounts` maps that label's value to the amount."""
    rows = [(name, labels_key({**labels, "type": kind}), float(n)) for kind, n in amounts.items()]
    if any(n < 0 for _, _, n in rows):
        raise ValueError("a counter never goes down")
    if rows:
        _upsert(rows)


def histogram_observe(
    name: str, value: float, labels: Mapping[str, str], buckets: Sequence[float]
) -> None:
    """Record one observation: its own bucket (`name:bucket`, `le` label; the reader makes
    them cumulative), and the sum (`name:sum`). The count is the `+Inf` bucket's total."""
    le = next((b for b in buckets if value <= b), None)
    bound = "+Inf" if le is None else format(float(le), "g")
    _upsert(
        [
            (f"{name}:bucket", labels_key({**labels, "le": bound}), 1.0),
            (f"{name}:sum", labels_key(labels), max(float(value), 0.0)),
        ]
    )


def counters_read(prefix: str) -> list[tuple[str, dict[str, str], float]]:
    """Every total whose name starts with `prefix`: (name, labels, value)."""
    rows = MetricCounter.objects.filter(name__startswith=prefix).values_list(
        "name", "labels", "value"
    )
    return [(name, json.loads(labels), value) for name, labels, value in rows]
