"""The readiness score of an event (spec 24.6) and the cluster placement score (spec 24.7)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

READINESS_WEIGHTS = {
    "provisioned": 0.30,
    "health": 0.25,
    "sessions": 0.15,
    "infra": 0.10,
    "capacity": 0.10,
    "sandbox": 0.10,
}
GATES = {"provisioned": (50, 80), "health": (70, 90), "sessions": (50, 80)}


@dataclass(frozen=True)
class ReadinessInput:
    labs_total: int
    labs_provisioned: int
    labs_with_sessions: int
    cluster_health_rates: Sequence[float]  # 0..100 per cluster
    critical_clusters: int
    depleting_exhaustion_hours: Sequence[float]  # of depleting pools
    sandboxes_total: int
    sandboxes_failing: int


@dataclass(frozen=True)
class Readiness:
    overall: float
    parts: dict[str, float]
    gates: dict[str, str]  # red | yellow | green

    def as_dict(self) -> dict[str, object]:
        return {"overall": self.overall, "parts": self.parts, "gates": self.gates}


def gate_colour(value: float, red_under: float, yellow_under: float) -> str:
    if value < red_under:
        return "red"
    return "yellow" if value < yellow_under else "green"


def _pct(part: int, whole: int) -> float:
    return part / whole * 100 if whole else 0.0


def capacity_part(exhaustion_hours: Sequence[float]) -> float:
    soonest = min(exhaustion_hours, default=None)
    if soonest is None:
        return 100.0
    if soonest < 2:
        return 0.0
    return 50.0 if soonest < 6 else 100.0


def sandbox_part(total: int, failing: int) -> float:
    rate = _pct(failing, total)
    if rate >= 10:
        return 0.0
    return 50.0 if rate > 5 else 100.0


def readiness(data: ReadinessInput) -> Readiness:
    rates = data.cluster_health_rates
    parts = {
        "provisioned": _pct(data.labs_provisioned, data.labs_total),
        "health": sum(rates) / len(rates) if rates else 0.0,
        "sessions": _pct(data.labs_with_sessions, data.labs_total),
        "infra": float(max(100 - 25 * data.critical_clusters, 0)),
        "capacity": capacity_part(data.depleting_exhaustion_hours),
        "sandbox": sandbox_part(data.sandboxes_total, data.sandboxes_failing),
    }
    score = sum(READINESS_WEIGHTS[name] * value for name, value in parts.items())
    gates = {name: gate_colour(parts[name], *limits) for name, limits in GATES.items()}
    return Readiness(round(score, 1), {k: round(v, 1) for k, v in parts.items()}, gates)


def lab_provisioned(
    *, started_instances: int, has_pool: bool, has_smoke_results: bool, cloud: str
) -> bool:
    """Spec 24.6: started instances, a pool, Demolition results, or a tenant namespace lab."""
    return started_instances > 0 or has_pool or has_smoke_results or cloud == "Tenant Namespace"


@dataclass(frozen=True)
class Placement:
    score: float
    cpu_score: float
    density_score: float
    health_score: float
    capacity_score: float

    def breakdown(self) -> dict[str, float]:
        return {
            "cpu_score": self.cpu_score,
            "density_score": self.density_score,
            "health_score": self.health_score,
            "capacity_score": self.capacity_score,
        }


def placement(
    *, cpu_pct: float, vms_per_node: float, health_rate: float, pool_available: int
) -> Placement:
    """`0.30 * max(0, 100 - cpu%) + 0.20 * max(0, 100 - vms_per_node) + 0.30 * health_rate
    + 0.20 * min(pool_available * 10, 100)`, 1 dp."""
    cpu = 0.30 * max(0.0, 100 - cpu_pct)
    density = 0.20 * max(0.0, 100 - vms_per_node)
    health = 0.30 * health_rate
    capacity = 0.20 * min(pool_available * 10, 100)
    return Placement(
        round(cpu + density + health + capacity, 1),
        round(cpu, 1),
        round(density, 1),
        round(health, 1),
        round(capacity, 1),
    )


def availability_risk(pools_available: int) -> str:
    """Spec 24.7 forecast: high under 5 available handles, medium under 20, else low."""
    if pools_available < 5:
        return "high"
    return "medium" if pools_available < 20 else "low"


def pool_status(available: int, min_required: int, low_max: int = 1) -> str:
    """Spec 4.2: exhausted, low or healthy."""
    if available == 0 and min_required > 0:
        return "exhausted"
    if available <= low_max and min_required > 0:
        return "low"
    return "healthy"


def capacity_warning(cpu_pct: float, vms_per_node: float) -> bool:
    """Spec 24.4: CPU above 60 % or more than 80 VMs per node."""
    return cpu_pct > 60 or vms_per_node > 80
