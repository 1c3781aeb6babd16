"""Replay stored pool history: predicted against actual exhaustion, MAE and the 6 h alarm."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from collectors.models import PoolSnapshot
from forecasting.backtest import backtest, simulated_history
from forecasting.velocity import PoolPoint


class Command(BaseCommand):
    help = "Backtest the pool exhaustion forecast on stored pool snapshots (or simulated ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=float, default=7.0, help="history to replay")
        parser.add_argument("--window-hours", type=float, default=6.0)
        parser.add_argument("--horizon-hours", type=float, default=6.0)
        parser.add_argument("--method", choices=["regression", "ewma"], default="regression")
        parser.add_argument(
            "--simulate", type=int, metavar="SEED", help="replay generated history instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["simulate"] is not None:
            start = timezone.now() - dt.timedelta(hours=48)
            history = simulated_history(seed=options["simulate"], start=start)
            self.stdout.write(f"simulated history, seed {options['simulate']}")
        else:
            history = self._stored(options["days"])
        result = backtest(
            history,
            window_hours=options["window_hours"],
            horizon_hours=options["horizon_hours"],
            method=options["method"],
        )
        for line in result.lines():
            self.stdout.write(line)

    def _stored(self, days: float) -> dict[str, list[PoolPoint]]:
        since = timezone.now() - dt.timedelta(days=days)
        history: dict[str, list[PoolPoint]] = defaultdict(list)
        rows = (
            PoolSnapshot.objects.filter(taken_at__gte=since)
            .order_by("taken_at")
            .values_list("pool_name", "taken_at", "available", "min_available")
        )
        for name, at, available, minimum in rows.iterator():
            history[name].append(PoolPoint(at, available, minimum))
        return dict(history)
