"""Workload complexity from AgnosticV constraints (spec 24.5), and the footprint per attendee."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

CLOUD_MULTIPLIERS = {
    "cnv": 1.2,
    "openshift_cnv": 1.2,
    "aws": 1.0,
    "ec2": 1.0,
    "azure": 1.0,
    "gcp": 1.0,
    "tenant": 0.5,
    "namespace": 0.5,
    "none": 0.5,
}
DEFAULT_TIMEOUT = 3600
DEFAULT_COMPLEXITY = 0.3  # spec 24.3: a lab without a score
MIN_FOOTPRINT = 0.1
SANDBOX_CPU, SANDBOX_MEMORY_GIB = 4.0, 8.0  # one sandbox's default size (settings)
MIN_OBSERVED = 3  # running labs of the item needed before their measured size wins


def _number(value: object) -> float:
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return 0.0
    return 0.0


@dataclass(frozen=True)
class Complexity:
    score: float
    components: dict[str, object]
    estimated_provision_minutes: int
    resource_weight: float

    def as_dict(self) -> dict[str, object]:
        return {
            "score": self.score,
            "components": self.components,
            "estimated_provision_minutes": self.estimated_provision_minutes,
            "resource_weight": self.resource_weight,
        }


def cloud_multiplier(cloud: str) -> float:
    return CLOUD_MULTIPLIERS.get(cloud.strip().lower(), 1.0)


def complexity(constraints: Mapping[str, object]) -> Complexity:
    """Score a catalog item's parsed AgnosticV constraints.

    Keys read: workload_count (or workloads), collections (pinned list or count),
    worker_instance_count, ai_workers_cores, timeout_seconds, components (list or count),
    cloud_provider, config."""
    workloads = _count(constraints, "workload_count", "workloads")
    collections = _count(constraints, "collections", "collections")
    workers = _number(constraints.get("worker_instance_count"))
    ai_cores = _number(constraints.get("ai_workers_cores"))
    timeout = _number(constraints.get("timeout_seconds")) or DEFAULT_TIMEOUT
    components = _count(constraints, "components", "components")
    cloud = str(constraints.get("cloud_provider") or constraints.get("config") or "")
    multiplier = cloud_multiplier(cloud)
    score = (
        0.10
        + min(workloads / 10, 1) * 0.15
        + min(collections / 8, 1) * 0.10
        + min(workers / 5, 1) * 0.20
        + min(ai_cores / 64, 1) * 0.15
        + min(timeout / 14400, 1) * 0.20
        + min(components / 5, 1) * 0.10
    )
    return Complexity(
        score=round(min(score * multiplier, 1.0), 3),
        components={
            "workloads": workloads,
            "collections": collections,
            "workers": workers,
            "ai_cores": ai_cores,
            "timeout_seconds": timeout,
            "components": components,
            "cloud": cloud.lower(),
            "cloud_multiplier": multiplier,
        },
        estimated_provision_minutes=int(timeout / 60 * 0.6 + workloads * 5 + collections * 2),
        resource_weight=round(max(workers, 1) * max(ai_cores, 4) / 32, 2),
    )


def _count(constraints: Mapping[str, object], count_key: str, list_key: str) -> float:
    value = constraints.get(count_key)
    if isinstance(value, list | tuple):
        return float(len(value))
    if value is None and isinstance(constraints.get(list_key), list | tuple):
        return float(len(constraints[list_key]))  # type: ignore[arg-type]
    return _number(value)


@dataclass(frozen=True)
class Footprint:
    """What one attendee of a catalog item takes: pool handles, CPU cores and memory."""

    handles: float
    cpu: float
    memory_gib: float
    basis: str  # complexity | observed
    observed_labs: int = 0
    notes: tuple[str, ...] = field(default=())


def footprint(
    score: float | None,
    observed: Sequence[tuple[float, float]] = (),
    *,
    min_observed: int = MIN_OBSERVED,
    sandbox_cpu: float = SANDBOX_CPU,
    sandbox_memory_gib: float = SANDBOX_MEMORY_GIB,
) -> Footprint:
    """One sandbox per attendee scaled by the complexity score (`max(score or 0.3, 0.1)`, spec
    24.3); once `min_observed` running labs of the item were measured, their mean CPU and memory
    replace the scaled default size."""
    scale = max(score or DEFAULT_COMPLEXITY, MIN_FOOTPRINT)
    if len(observed) >= min_observed:
        cpu = sum(c for c, _ in observed) / len(observed)
        memory = sum(m for _, m in observed) / len(observed)
        return Footprint(scale, round(cpu, 3), round(memory, 3), "observed", len(observed))
    return Footprint(
        scale, round(sandbox_cpu * scale, 3), round(sandbox_memory_gib * scale, 3), "complexity"
    )
