"""Pool velocity, recycling and exhaustion (spec 24.2): pure functions over pool snapshots.

The velocity is fitted over a window of snapshots (least squares by default, or an EWMA of the
interval slopes), never a slope between two points; the exhaustion estimate carries a band from
the fit's standard error.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

TREND_THRESHOLD = 0.5  # handles per hour (default)
MIN_SPAN_HOURS = 0.01


@dataclass(frozen=True)
class PoolPoint:
    """One stored pool snapshot (spec 4.2), reduced to what the maths needs."""

    at: datetime
    available: int
    min_required: int = 0


@dataclass(frozen=True)
class Velocity:
    handles_per_hour: float
    trend: str  # depleting | recovering | stable
    data_points: int
    stderr: float = 0.0  # standard error of the slope (0 with fewer than 3 points)

    def as_dict(self) -> dict[str, object]:
        return {
            "handles_per_hour": self.handles_per_hour,
            "trend": self.trend,
            "data_points": self.data_points,
        }


@dataclass(frozen=True)
class Exhaustion:
    """Hours until the pool has no handle left, with a band (None: not depleting)."""

    hours: float | None
    low: float | None = None
    high: float | None = None  # None with `hours` set: the band's slow edge never exhausts


def window(points: Sequence[PoolPoint], now: datetime, hours: float = 6.0) -> list[PoolPoint]:
    """The snapshots of the last `hours` before `now` (inclusive), oldest first."""
    start = now - timedelta(hours=hours)
    return sorted((p for p in points if start <= p.at <= now), key=lambda p: p.at)


def trend_of(slope: float, threshold: float = TREND_THRESHOLD) -> str:
    if slope < -threshold:
        return "depleting"
    if slope > threshold:
        return "recovering"
    return "stable"


def _hours(points: Sequence[PoolPoint]) -> list[float]:
    first = points[0].at
    return [(p.at - first).total_seconds() / 3600 for p in points]


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Slope of y against x and its standard error (0 with fewer than 3 points)."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return 0.0, 0.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    if n < 3:
        return slope, 0.0
    intercept = mean_y - slope * mean_x
    residual = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    return slope, math.sqrt(residual / (n - 2) / sxx)


def ewma_slope(xs: Sequence[float], ys: Sequence[float], alpha: float = 0.3) -> float:
    """Exponentially weighted mean of the interval slopes, newest weighted most."""
    value: float | None = None
    for (x0, y0), (x1, y1) in itertools.pairwise(zip(xs, ys, strict=True)):
        if x1 - x0 <= 0:
            continue
        slope = (y1 - y0) / (x1 - x0)
        value = slope if value is None else alpha * slope + (1 - alpha) * value
    return value or 0.0


def pool_velocity(
    points: Sequence[PoolPoint], *, method: str = "regression", alpha: float = 0.3
) -> Velocity:
    """Velocity of `available` over `points` (already windowed), in handles per hour."""
    ordered = sorted(points, key=lambda p: p.at)
    if len(ordered) < 2:
        return Velocity(0.0, "stable", len(ordered))
    xs, ys = _hours(ordered), [float(p.available) for p in ordered]
    if xs[-1] < MIN_SPAN_HOURS:
        return Velocity(0.0, "stable", len(ordered))
    slope, stderr = least_squares(xs, ys)
    if method == "ewma":
        slope = ewma_slope(xs, ys, alpha)
    elif method != "regression":
        raise ValueError(f"unknown velocity method {method!r}")
    return Velocity(round(slope, 2), trend_of(slope), len(ordered), round(stderr, 3))


def recycling_rate(points: Sequence[PoolPoint]) -> float:
    """Handles returned per hour: positive deltas over the hours of those intervals."""
    ordered = sorted(points, key=lambda p: p.at)
    gained, hours = 0.0, 0.0
    for before, after in itertools.pairwise(ordered):
        delta = after.available - before.available
        if delta > 0:
            gained += delta
            hours += (after.at - before.at).total_seconds() / 3600
    return round(gained / hours, 2) if hours > 0 else 0.0


def exhaustion(available: int, velocity: Velocity, *, z: float = 1.96) -> Exhaustion:
    """`round(-available / slope, 1)` when depleting; the band uses slope +- z * stderr."""
    slope = velocity.handles_per_hour
    if slope >= 0 or available <= 0:
        return Exhaustion(None)
    hours = round(-available / slope, 1)
    fast, slow = slope - z * velocity.stderr, slope + z * velocity.stderr
    low = round(-available / fast, 1)
    high = round(-available / slow, 1) if slow < 0 else None
    return Exhaustion(hours, low, high)
