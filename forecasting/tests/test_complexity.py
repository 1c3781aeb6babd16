"""Spec 24.5 with its numbers, and the footprint per attendee."""

from __future__ import annotations

from typing import Any

from collectors.complexity import complexity as score_of
from forecasting.complexity import footprint


class _Scored:
    """`collectors.complexity`'s answer read by attribute, as these tests read it."""

    def __init__(self, found: dict[str, Any]) -> None:
        self.__dict__.update(found)


def complexity(definition: dict[str, Any]) -> _Scored:
    """Spec 24.5 through the one implementation, from a definition's fields."""

    def count(value: Any) -> Any:
        return len(value) if isinstance(value, list) else value

    return _Scored(
        score_of(
            workloads=count(definition.get("workload_count", definition.get("workloads"))),
            collections=count(definition.get("collections")),
            workers=definition.get("worker_instance_count"),
            ai_cores=definition.get("ai_workers_cores"),
            timeout_seconds=definition.get("timeout_seconds"),
            components=count(definition.get("components")),
            cloud=str(definition.get("cloud_provider") or definition.get("config") or ""),
        )
    )


def test_an_empty_definition_scores_the_base_and_the_default_timeout() -> None:
    result = complexity({})
    # 0.10 + (3600 / 14400) * 0.20 = 0.15
    assert result.score == 0.15
    assert result.estimated_provision_minutes == 36
    assert result.resource_weight == 0.12  # 1 * 4 / 32


def test_a_heavy_cnv_item_scores_with_its_cloud_multiplier() -> None:
    result = complexity(
        {
            "workloads": ["a", "b", "c", "d", "e"],
            "collections": 4,
            "worker_instance_count": 5,
            "ai_workers_cores": 32,
            "timeout_seconds": 7200,
            "components": ["x"],
            "cloud_provider": "openshift_cnv",
        }
    )
    # 0.10 + 0.075 + 0.05 + 0.20 + 0.075 + 0.10 + 0.02 = 0.62; * 1.2 = 0.744
    assert result.score == 0.744
    assert result.components["cloud_multiplier"] == 1.2
    assert result.estimated_provision_minutes == 72 + 25 + 8
    assert result.resource_weight == 5.0  # 5 * 32 / 32


def test_it_caps_at_one_and_counts_non_numbers_as_zero() -> None:
    big = {
        "workload_count": 50,
        "collections": 50,
        "worker_instance_count": 50,
        "ai_workers_cores": 500,
        "timeout_seconds": 99999,
        "components": 50,
        "config": "cnv",
    }
    assert complexity(big).score == 1.0
    assert complexity({"worker_instance_count": "lots"}).components["workers"] == 0.0


def test_tenant_items_are_halved() -> None:
    assert complexity({"cloud_provider": "none"}).score == 0.075


def test_the_footprint_scales_one_sandbox_by_the_score() -> None:
    assert footprint(None).handles == 0.3
    assert footprint(0.02).handles == 0.1
    small = footprint(0.5)
    assert (small.handles, small.cpu, small.memory_gib, small.basis) == (
        0.5,
        2.0,
        4.0,
        "complexity",
    )


def test_observed_labs_win_once_there_are_enough() -> None:
    assert footprint(0.5, [(1.0, 2.0), (3.0, 6.0)]).basis == "complexity"
    seen = footprint(0.5, [(1.0, 2.0), (3.0, 6.0), (2.0, 4.0)])
    assert (seen.cpu, seen.memory_gib, seen.basis, seen.handles) == (2.0, 4.0, "observed", 0.5)
    # the median: one oversized lab does not move it
    big = footprint(0.5, [(1.0, 2.0), (2.0, 4.0), (40.0, 160.0)], min_observed=3)
    assert (big.cpu, big.memory_gib, big.observed_labs) == (2.0, 4.0, 3)
    assert footprint(0.5, [(1.0, 2.0)] * 4, min_observed=5).basis == "complexity"
