"""The capacity page's charts, drawn from a `CapacityForecast` (no query here)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils.safestring import SafeString

from forecasting.projection import ClusterProjection
from forecasting.selectors import CapacityForecast, PoolForecast
from stargate.lib.charts.forecast import forecast_chart
from stargate.lib.charts.lines import time_chart
from stargate.lib.charts.strip import status_strip
from stargate.lib.charts.svg import Segment, Series, StripRow

Z = 1.96
HISTORY = timedelta(hours=24)


def _projected(
    pool: PoolForecast, now: datetime, hours: int, slope: float
) -> list[tuple[datetime, float]]:
    rate = slope + pool.recycling if slope < 0 else slope
    return [
        (now + timedelta(hours=h), max(pool.available + rate * h, 0.0)) for h in range(hours + 1)
    ]


def pool_chart(pool: PoolForecast, now: datetime, hours: int, index: int) -> SafeString:
    """Available handles over the last 24 h, then the forecast with its band and the
    exhaustion marker."""
    slope, err = pool.velocity.handles_per_hour, pool.velocity.stderr
    history = [(p.at, float(p.available)) for p in pool.history if p.at >= now - HISTORY]
    marker = now + timedelta(hours=pool.eta.hours) if pool.eta.hours is not None else None
    return forecast_chart(
        chart_id=f"pool-chart-{index}",
        title=f"Pool {pool.name}: available handles, measured and forecast",
        history=history,
        forecast=_projected(pool, now, hours, slope),
        low=_projected(pool, now, hours, slope - Z * err) if err else (),
        high=_projected(pool, now, hours, slope + Z * err) if err else (),
        marker_at=marker,
        start=now - HISTORY,
        end=now + timedelta(hours=hours),
    )


def cluster_charts(
    projection: ClusterProjection, now: datetime, index: int
) -> dict[str, SafeString]:
    """CPU and memory wanted hour by hour against what the cluster can allocate."""
    hours = [now + timedelta(hours=h) for h in range(len(projection.labels))]
    end = now + timedelta(hours=len(hours))

    def chart(kind: str, demand: list[float], capacity: float, unit: str) -> SafeString:
        unit_name = "cores" if kind == "CPU" else "GiB"
        return time_chart(
            chart_id=f"cluster-{kind}-chart-{index}",
            title=f"{projection.cluster}: {kind} demand against capacity ({unit_name}), next {len(hours)} h",
            series=[
                Series(
                    "Demand",
                    "cpu" if kind == "CPU" else "memory",
                    list(zip(hours, demand, strict=True)),
                ),
                Series("Capacity", "failed", [(hours[0], capacity), (hours[-1], capacity)]),
            ],
            start=now,
            end=end,
            unit=unit,
            width=520,
            height=180,
        )

    return {
        "cpu": chart("CPU", projection.cpu_demand, projection.cpu_capacity, ""),
        "memory": chart("memory", projection.memory_demand, projection.memory_capacity, ""),
    }


def session_timeline(forecast: CapacityForecast) -> SafeString:
    """One strip per session in the horizon, from its start to its end."""
    start, end = forecast.now, forecast.now + timedelta(hours=forecast.hours)
    rows = [
        StripRow(
            f"{demand.lab_code} ({demand.attendees})",
            [Segment(max(demand.starts_at, start), min(demand.ends_at, end), "progressing")],
        )
        for demand in sorted(forecast.demands, key=lambda d: d.starts_at)[:30]
    ]
    return status_strip(
        chart_id="session-timeline",
        title=f"Sessions in the next {forecast.hours} hours (attendees in brackets)",
        rows=rows,
        start=start,
        end=end,
    )
