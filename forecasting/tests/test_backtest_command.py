"""`manage.py backtest_forecast` on stored (generated) history and on simulated history."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from collectors.models import PoolSnapshot
from forecasting.backtest import simulated_history


@pytest.mark.django_db
def test_it_replays_stored_history() -> None:
    start = timezone.now() - dt.timedelta(hours=24)
    history = simulated_history(pools=3, hours=24, seed=5, start=start)
    PoolSnapshot.objects.bulk_create(
        PoolSnapshot(
            pool_name=name, taken_at=p.at, available=p.available, min_available=p.min_required
        )
        for name, points in history.items()
        for p in points
    )
    out = StringIO()
    call_command("backtest_forecast", "--days", "2", stdout=out)
    text = out.getvalue()
    assert "pools: 3" in text and "MAE of predicted exhaustion:" in text
    assert "hit rate" in text


def test_it_replays_simulated_history() -> None:
    out = StringIO()
    call_command("backtest_forecast", "--simulate", "17", stdout=out)
    assert "simulated history, seed 17" in out.getvalue()
    assert "pools: 12" in out.getvalue()
