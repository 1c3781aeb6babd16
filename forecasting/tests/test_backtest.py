"""The backtest replays generated history and reports MAE and the 6 h alarm's hit rate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forecasting.backtest import backtest, simulated_history
from forecasting.velocity import PoolPoint

T0 = datetime(2026, 5, 10, tzinfo=UTC)


def test_a_steady_drain_is_predicted_exactly() -> None:
    points = [PoolPoint(T0 + timedelta(hours=h), 10 - h) for h in range(11)]
    result = backtest({"p": points})
    assert result.mae_hours == 0.0
    assert result.alarms > 0 and result.hit_rate == 1.0
    assert result.recall == 1.0


def test_a_flat_pool_never_alarms() -> None:
    points = [PoolPoint(T0 + timedelta(hours=h), 5) for h in range(12)]
    result = backtest({"p": points})
    assert result.alarms == 0 and result.hit_rate is None and result.mae_hours is None


def test_it_runs_on_generated_history_reproducibly() -> None:
    history = simulated_history(pools=6, hours=24, seed=3, start=T0)
    first, again = (
        backtest(history),
        backtest(simulated_history(pools=6, hours=24, seed=3, start=T0)),
    )
    assert first == again
    assert first.predictions > 1000 and first.compared > 0
    assert first.mae_hours is not None and first.hit_rate is not None
    assert 0 <= first.hit_rate <= 1
    assert any("MAE" in line for line in first.lines())
