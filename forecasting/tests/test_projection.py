"""Spec 24.3 with its numbers: demand, supply, bottleneck hour and risk; clusters too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forecasting.complexity import footprint
from forecasting.projection import (
    ClusterSupply,
    PoolSupply,
    SessionDemand,
    cluster_projection,
    overall,
    pool_projection,
)

NOW = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


def session(
    hours: float,
    attendees: int,
    pool: str | None = "p1",
    score: float | None = 1.0,
    cluster: str | None = None,
    length: float = 4,
) -> SessionDemand:
    start = NOW + timedelta(hours=hours)
    return SessionDemand(
        start, start + timedelta(hours=length), attendees, footprint(score), "LB1208", pool, cluster
    )


def test_demand_is_attendees_times_footprint_in_the_starting_hour() -> None:
    projection = pool_projection(
        now=NOW, pools={"p1": PoolSupply(100)}, sessions=[session(2.5, 20, score=0.5)], hours=6
    )
    assert projection.demand["p1"] == [0, 0, 10.0, 0, 0, 0]


def test_sessions_without_a_pool_are_reported_as_unmapped() -> None:
    projection = pool_projection(
        now=NOW, pools={"p1": PoolSupply(10)}, sessions=[session(1, 10, pool=None)], hours=6
    )
    assert projection.unmapped_demand == 10.0
    assert projection.total_demand == 0


def test_supply_grows_with_velocity_plus_recycling_and_never_goes_negative() -> None:
    projection = pool_projection(
        now=NOW,
        pools={"up": PoolSupply(4, 1.0, 0.5), "down": PoolSupply(4, -3.0, 0.0)},
        sessions=[],
        hours=4,
    )
    assert projection.supply["up"] == [4.0, 5.5, 7.0, 8.5]
    assert projection.supply["down"] == [4.0, 1.0, 0.0, 0.0]


def test_the_bottleneck_is_the_first_hour_demand_exceeds_supply() -> None:
    projection = pool_projection(
        now=NOW, pools={"p1": PoolSupply(5)}, sessions=[session(1, 8), session(3, 12)], hours=6
    )
    [bottleneck] = projection.bottlenecks
    assert bottleneck.bottleneck_hour == "2026-05-12T09:00"
    assert bottleneck.peak_deficit == 7.0
    # 20 demand, 5 supply: hour 1 demand 8 > 0.5 * 5 → critical
    assert projection.risk_level == "critical"


def test_a_late_bottleneck_is_high_and_a_tight_pool_medium() -> None:
    late = pool_projection(now=NOW, pools={"p1": PoolSupply(5)}, sessions=[session(5, 8)], hours=6)
    assert late.risk_level == "high"
    tight = pool_projection(
        now=NOW, pools={"p1": PoolSupply(10)}, sessions=[session(1, 5), session(4, 4)], hours=6
    )
    assert not tight.bottlenecks and tight.risk_level == "medium"  # 9 > 0.8 * 10
    calm = pool_projection(now=NOW, pools={"p1": PoolSupply(10)}, sessions=[session(1, 2)])
    assert calm.risk_level == "low"


def test_the_horizon_is_24_hours_by_default_and_at_most_72() -> None:
    assert len(pool_projection(now=NOW, pools={}, sessions=[]).labels) == 24
    assert len(pool_projection(now=NOW, pools={}, sessions=[], hours=500).labels) == 72


def test_cluster_demand_holds_for_the_session_length() -> None:
    supply = ClusterSupply(
        cpu_allocatable=100, cpu_used=41, memory_allocatable_gib=400, memory_used_gib=100
    )
    projection = cluster_projection(
        now=NOW,
        cluster="c1",
        supply=supply,
        sessions=[session(2, 20, score=0.5, cluster="c1", length=2)],
        hours=6,
    )
    # 20 attendees * 2 cores (0.5 of a 4-core sandbox), hours 2 and 3
    assert projection.cpu_demand == [41, 41, 81, 81, 41, 41]
    assert projection.bottleneck_hour is None and projection.risk_level == "medium"
    crowded = cluster_projection(
        now=NOW,
        cluster="c1",
        supply=supply,
        sessions=[session(1, 40, score=0.5, cluster="c1")],
        hours=6,
    )
    assert crowded.bottleneck_hour == "2026-05-12T09:00" and crowded.resource == "cpu"
    assert crowded.risk_level == "critical"


def test_overall_takes_the_worst_risk_and_the_earliest_bottleneck() -> None:
    pools = pool_projection(now=NOW, pools={"p1": PoolSupply(5)}, sessions=[session(5, 8)], hours=6)
    supply = ClusterSupply(100, 40, 400, 100)
    cluster = cluster_projection(
        now=NOW,
        cluster="c1",
        supply=supply,
        sessions=[session(1, 40, score=0.5, cluster="c1")],
        hours=6,
    )
    result = overall(pools, [cluster])
    assert result.risk_level == "critical"
    assert result.bottleneck_target == "cluster c1"
