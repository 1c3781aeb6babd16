"""Backtest of the exhaustion forecast: replay stored pool history, predict at each snapshot
from the window before it, and compare with when the pool really ran out.

Reported: the mean absolute error (hours) of predicted against actual exhaustion, over the
moments where both exist, and the "exhausts within 6 h" alarm: its hit rate (share of alarms
followed by an exhaustion within the horizon) and its recall (share of exhaustions within the
horizon that an alarm announced).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from forecasting.velocity import PoolPoint, exhaustion, pool_velocity, window


@dataclass(frozen=True)
class BacktestResult:
    pools: int
    predictions: int  # moments replayed
    compared: int  # moments with a prediction and an actual exhaustion
    mae_hours: float | None
    alarms: int
    alarm_hits: int
    exhaustions_within: int  # moments followed by an exhaustion within the horizon
    caught: int  # of those, announced by an alarm

    @property
    def hit_rate(self) -> float | None:
        return round(self.alarm_hits / self.alarms, 3) if self.alarms else None

    @property
    def recall(self) -> float | None:
        return round(self.caught / self.exhaustions_within, 3) if self.exhaustions_within else None

    def lines(self) -> list[str]:
        mae = "n/a" if self.mae_hours is None else f"{self.mae_hours:.2f} h"
        hit = "n/a" if self.hit_rate is None else f"{self.hit_rate:.1%}"
        recall = "n/a" if self.recall is None else f"{self.recall:.1%}"
        return [
            f"pools: {self.pools}, moments replayed: {self.predictions}, compared: {self.compared}",
            f"MAE of predicted exhaustion: {mae}",
            f"'exhausts within 6 h' alarm: {self.alarms} raised, hit rate {hit}, recall {recall}",
        ]


def actual_exhaustion(points: Sequence[PoolPoint], after: datetime) -> datetime | None:
    return next((p.at for p in points if p.at > after and p.available <= 0), None)


def backtest(
    history: Mapping[str, Sequence[PoolPoint]],
    *,
    window_hours: float = 6.0,
    horizon_hours: float = 6.0,
    min_points: int = 3,
    method: str = "regression",
) -> BacktestResult:
    errors: list[float] = []
    predictions = alarms = hits = within = caught = 0
    for points in history.values():
        ordered = sorted(points, key=lambda p: p.at)
        for index, now_point in enumerate(ordered):
            if now_point.available <= 0:
                continue
            seen = window(ordered[: index + 1], now_point.at, window_hours)
            if len(seen) < min_points:
                continue
            predictions += 1
            eta = exhaustion(now_point.available, pool_velocity(seen, method=method)).hours
            actual_at = actual_exhaustion(ordered, now_point.at)
            actual = (actual_at - now_point.at).total_seconds() / 3600 if actual_at else None
            if eta is not None and actual is not None:
                errors.append(abs(eta - actual))
            alarm = eta is not None and eta <= horizon_hours
            real = actual is not None and actual <= horizon_hours
            alarms += alarm
            hits += alarm and real
            within += real
            caught += alarm and real
    return BacktestResult(
        pools=len(history),
        predictions=predictions,
        compared=len(errors),
        mae_hours=round(sum(errors) / len(errors), 2) if errors else None,
        alarms=alarms,
        alarm_hits=hits,
        exhaustions_within=within,
        caught=caught,
    )


def simulated_history(
    *, pools: int = 12, hours: int = 48, step_minutes: int = 3, seed: int = 17, start: datetime
) -> dict[str, list[PoolPoint]]:
    """Generated pool history, reproducible by `seed`: each pool drains at its own rate with
    noise, claims arrive in bursts before sessions, and Poolboy refills it (recycling) toward
    its minimum after a delay. Used by the backtest's test and `backtest_forecast --simulate`."""
    rng = random.Random(seed)
    history: dict[str, list[PoolPoint]] = {}
    steps = hours * 60 // step_minutes
    for index in range(pools):
        minimum = rng.choice([5, 10, 15, 20])
        available = float(minimum)
        drain = rng.uniform(0.2, 3.0)  # handles per hour
        refill = rng.uniform(0.0, 1.5)
        points = []
        for step in range(steps):
            at = start + timedelta(minutes=step * step_minutes)
            burst = 4 if rng.random() < 0.01 else 0
            change = (-drain + refill * (available < minimum / 2)) * step_minutes / 60
            available = max(0.0, available + change + rng.gauss(0, 0.15) - burst)
            if available == 0 and rng.random() < 0.02:
                available = float(minimum)  # an operator scaled the pool up
            points.append(PoolPoint(at, round(available), minimum))
        history[f"sim-pool-{index:02d}"] = points
    return history
