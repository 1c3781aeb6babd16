"""Spec 24.2 with its numbers: least-squares slope, trend, exhaustion and recycling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forecasting.velocity import (
    PoolPoint,
    Velocity,
    exhaustion,
    pool_velocity,
    recycling_rate,
    window,
)

T0 = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


def series(*values: int, minutes: int = 30) -> list[PoolPoint]:
    return [PoolPoint(T0 + timedelta(minutes=minutes * i), v) for i, v in enumerate(values)]


def test_it_is_stable_with_fewer_than_two_points() -> None:
    assert pool_velocity(series(5)) == Velocity(0.0, "stable", 1)


def test_it_is_stable_when_the_span_is_under_a_hundredth_of_an_hour() -> None:
    points = [PoolPoint(T0, 5), PoolPoint(T0 + timedelta(seconds=30), 1)]
    assert pool_velocity(points).handles_per_hour == 0.0


def test_two_points_give_last_minus_first_over_hours() -> None:
    velocity = pool_velocity(series(10, 7, minutes=120))  # -3 over 2 h
    assert velocity.handles_per_hour == -1.5
    assert velocity.trend == "depleting"


def test_it_fits_least_squares_not_the_two_end_points() -> None:
    # 10, 9, 9, 8, 2 every 30 min: end points say -4/h, the fit says -3.4/h
    velocity = pool_velocity(series(10, 9, 9, 8, 2))
    assert velocity.handles_per_hour == -3.4
    assert velocity.data_points == 5
    assert velocity.stderr > 0


@pytest.mark.parametrize(
    ("values", "trend"),
    [((10, 10, 10), "stable"), ((10, 11, 12), "recovering"), ((10, 9, 8), "depleting")],
)
def test_it_labels_the_trend_at_half_a_handle_an_hour(values: tuple[int, ...], trend: str) -> None:
    assert pool_velocity(series(*values)).trend == trend


def test_ewma_weights_recent_intervals_more() -> None:
    points = series(10, 10, 10, 10, 6)
    assert (
        pool_velocity(points, method="ewma").handles_per_hour
        < pool_velocity(points).handles_per_hour
    )


def test_the_window_keeps_the_last_six_hours() -> None:
    points = series(*range(20, 0, -1), minutes=60)
    kept = window(points, now=points[-1].at)
    assert len(kept) == 7 and kept[0].at == points[-1].at - timedelta(hours=6)


def test_exhaustion_is_minus_available_over_slope() -> None:
    eta = exhaustion(6, Velocity(-4.0, "depleting", 5))
    assert eta.hours == 1.5


def test_exhaustion_is_none_when_not_depleting_or_empty() -> None:
    assert exhaustion(6, Velocity(0.0, "stable", 5)).hours is None
    assert exhaustion(6, Velocity(0.3, "stable", 5)).hours is None
    assert exhaustion(0, Velocity(-2.0, "depleting", 5)).hours is None


def test_exhaustion_has_a_band_from_the_slope_error() -> None:
    eta = exhaustion(6, Velocity(-2.0, "depleting", 8, stderr=0.5))
    assert eta.low is not None and eta.low < eta.hours == 3.0
    assert eta.high is not None and eta.high > 3.0


def test_recycling_sums_positive_deltas_over_their_hours() -> None:
    # +2 over 30 min and +1 over 30 min: 3 handles over 1 h; the drop is ignored
    assert recycling_rate(series(5, 7, 4, 5)) == 3.0
    assert recycling_rate(series(5, 4, 3)) == 0.0
