from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors.models import Freshness, freshness_of

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "interval", "expected"),
    [
        (0, 180, Freshness.FRESH),
        (299, 180, Freshness.FRESH),
        (300, 180, Freshness.AGING),
        (899, 180, Freshness.AGING),
        (900, 180, Freshness.STALE),
        # a source polled every 30 min stays fresh between two polls
        (1800, 1800, Freshness.FRESH),
        (3000, 1800, Freshness.AGING),
        (5400, 1800, Freshness.STALE),
    ],
)
def test_freshness_follows_the_spec_floors_and_the_interval(
    age: int, interval: int, expected: str
) -> None:
    assert freshness_of(NOW - timedelta(seconds=age), interval, NOW) == expected


def test_a_source_never_collected_is_never() -> None:
    assert freshness_of(None, 180, NOW) == Freshness.NEVER
