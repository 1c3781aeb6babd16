"""Spec 24.6 readiness and 24.7 placement with their numbers."""

from __future__ import annotations

from forecasting.scores import (
    ReadinessInput,
    availability_risk,
    capacity_part,
    gate_colour,
    lab_provisioned,
    placement,
    pool_status,
    readiness,
    sandbox_part,
)


def test_readiness_weights_its_six_parts() -> None:
    result = readiness(
        ReadinessInput(
            labs_total=10,
            labs_provisioned=8,
            labs_with_sessions=6,
            cluster_health_rates=[90, 70],
            critical_clusters=1,
            depleting_exhaustion_hours=[3.0],
            sandboxes_total=100,
            sandboxes_failing=6,
        )
    )
    # 0.30*80 + 0.25*80 + 0.15*60 + 0.10*75 + 0.10*50 + 0.10*50 = 70.5
    assert result.overall == 70.5
    assert result.gates == {"provisioned": "green", "health": "yellow", "sessions": "yellow"}


def test_gates_are_red_under_the_first_number() -> None:
    assert gate_colour(49.9, 50, 80) == "red"
    assert gate_colour(50, 50, 80) == "yellow"
    assert gate_colour(80, 50, 80) == "green"


def test_capacity_and_sandbox_parts_follow_their_steps() -> None:
    assert [capacity_part([1.9]), capacity_part([5.9]), capacity_part([6]), capacity_part([])] == [
        0,
        50,
        100,
        100,
    ]
    assert [sandbox_part(100, 10), sandbox_part(100, 6), sandbox_part(100, 5)] == [0, 50, 100]


def test_a_lab_counts_as_provisioned_by_any_of_four_signs() -> None:
    assert lab_provisioned(
        started_instances=0, has_pool=False, has_smoke_results=False, cloud="Tenant Namespace"
    )
    assert not lab_provisioned(
        started_instances=0, has_pool=False, has_smoke_results=False, cloud="CNV"
    )


def test_placement_score_breakdown() -> None:
    score = placement(cpu_pct=45, vms_per_node=30, health_rate=92, pool_available=3)
    # 0.30*55 + 0.20*70 + 0.30*92 + 0.20*30 = 16.5 + 14 + 27.6 + 6 = 64.1
    assert score.score == 64.1
    assert score.breakdown() == {
        "cpu_score": 16.5,
        "density_score": 14.0,
        "health_score": 27.6,
        "capacity_score": 6.0,
    }
    assert placement(cpu_pct=120, vms_per_node=200, health_rate=0, pool_available=50).score == 20.0


def test_availability_risk_and_pool_status() -> None:
    assert [availability_risk(4), availability_risk(19), availability_risk(20)] == [
        "high",
        "medium",
        "low",
    ]
    assert [pool_status(0, 2), pool_status(1, 2), pool_status(0, 0), pool_status(3, 2)] == [
        "exhausted",
        "low",
        "healthy",
        "healthy",
    ]
