"""Hour-by-hour demand against supply (spec 24.3), per pool and per cluster, with the
bottleneck hour and a risk level per pool, per cluster and overall.

Demand is one model: each session contributes attendees * its catalog item's footprint
(`forecasting.complexity.footprint`). Pools get the footprint's handles in the hour the
session starts; clusters carry its CPU and memory for every hour the session runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from forecasting.complexity import Footprint

DEFAULT_HOURS, MAX_HOURS = 24, 72
RISK_ORDER = ("low", "medium", "high", "critical")
UNMAPPED = "unmapped"


@dataclass(frozen=True)
class SessionDemand:
    starts_at: datetime
    ends_at: datetime
    attendees: int
    footprint: Footprint
    lab_code: str = ""
    pool: str | None = None
    cluster: str | None = None


@dataclass(frozen=True)
class PoolSupply:
    available: int
    handles_per_hour: float = 0.0
    recycling_rate: float = 0.0


@dataclass(frozen=True)
class ClusterSupply:
    cpu_allocatable: float
    cpu_used: float
    memory_allocatable_gib: float
    memory_used_gib: float


@dataclass
class Bottleneck:
    target: str
    bottleneck_hour: str
    peak_deficit: float
    hour_index: int


@dataclass
class Projection:
    start: datetime
    labels: list[str]
    demand: dict[str, list[float]]
    supply: dict[str, list[float]]
    unmapped_demand: float
    bottlenecks: list[Bottleneck]
    total_demand: float
    total_supply: float
    risk_level: str
    risk_by_pool: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "hours": [
                {
                    "label": label,
                    "demand": {p: round(v[h], 2) for p, v in self.demand.items()},
                    "supply": {p: round(v[h], 2) for p, v in self.supply.items()},
                }
                for h, label in enumerate(self.labels)
            ],
            "bottlenecks": [
                {
                    "pool": b.target,
                    "bottleneck_hour": b.bottleneck_hour,
                    "peak_deficit": b.peak_deficit,
                }
                for b in self.bottlenecks
            ],
            "unmapped_demand": round(self.unmapped_demand, 2),
            "total_demand": round(self.total_demand, 2),
            "total_supply": round(self.total_supply, 2),
            "risk_level": self.risk_level,
            "risk_by_pool": self.risk_by_pool,
        }


def hour_start(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0)


def clamp_hours(hours: int) -> int:
    return max(1, min(hours, MAX_HOURS))


def hour_label(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:00")


def pool_projection(
    *,
    now: datetime,
    pools: Mapping[str, PoolSupply],
    sessions: Sequence[SessionDemand],
    hours: int = DEFAULT_HOURS,
) -> Projection:
    """Spec 24.3 over `hours` (1…72): window h is [now + h, now + h + 1)."""
    hours = clamp_hours(hours)
    demand: dict[str, list[float]] = {name: [0.0] * hours for name in pools}
    unmapped = 0.0
    for session in sessions:
        offset = (session.starts_at - now).total_seconds() / 3600
        if not 0 <= offset < hours:
            continue
        need = session.attendees * session.footprint.handles
        if session.pool is None or session.pool not in pools:
            unmapped += need
            continue
        demand[session.pool][int(offset)] += need
    supply = {
        name: [
            max(p.available + (p.handles_per_hour + p.recycling_rate) * h, 0.0)
            for h in range(hours)
        ]
        for name, p in pools.items()
    }
    labels = [hour_label(now + timedelta(hours=h)) for h in range(hours)]
    bottlenecks = _bottlenecks(demand, supply, labels)
    total_demand = sum(sum(v) for v in demand.values())
    total_supply = sum(sum(v) for v in supply.values()) / hours
    risk = _pool_risk(bottlenecks, demand, total_demand, total_supply, hours)
    return Projection(
        start=now,
        labels=labels,
        demand=demand,
        supply=supply,
        unmapped_demand=unmapped,
        bottlenecks=bottlenecks,
        total_demand=total_demand,
        total_supply=total_supply,
        risk_level=risk,
        risk_by_pool={name: _one_pool_risk(name, bottlenecks, demand, supply) for name in pools},
    )


def _bottlenecks(
    demand: Mapping[str, list[float]], supply: Mapping[str, list[float]], labels: list[str]
) -> list[Bottleneck]:
    found = []
    for name, needs in demand.items():
        deficits = [need - have for need, have in zip(needs, supply[name], strict=True)]
        first = next((h for h, deficit in enumerate(deficits) if deficit > 0), None)
        if first is not None:
            found.append(Bottleneck(name, labels[first], round(max(deficits), 2), first))
    return sorted(found, key=lambda b: (b.hour_index, b.target))


def _pool_risk(
    bottlenecks: list[Bottleneck],
    demand: Mapping[str, list[float]],
    total_demand: float,
    total_supply: float,
    hours: int,
) -> str:
    if bottlenecks:
        for h in range(min(3, hours)):
            hour_demand = sum(v[h] for v in demand.values())
            if hour_demand > 0.5 * total_supply:
                return "critical"
        return "high"
    return "medium" if total_demand > 0.8 * total_supply else "low"


def _one_pool_risk(
    name: str,
    bottlenecks: list[Bottleneck],
    demand: Mapping[str, list[float]],
    supply: Mapping[str, list[float]],
) -> str:
    hours = len(supply[name])
    mine = [b for b in bottlenecks if b.target == name]
    total_supply = sum(supply[name]) / hours if hours else 0.0
    return _pool_risk(mine, {name: demand[name]}, sum(demand[name]), total_supply, hours)


@dataclass
class ClusterProjection:
    cluster: str
    labels: list[str]
    cpu_demand: list[float]
    memory_demand: list[float]
    cpu_capacity: float
    memory_capacity: float
    bottleneck_hour: str | None
    resource: str | None  # cpu | memory: the first to run out
    risk_level: str

    def as_dict(self) -> dict[str, object]:
        return {
            "cluster": self.cluster,
            "hours": [
                {"label": label, "cpu": round(c, 2), "memory_gib": round(m, 2)}
                for label, c, m in zip(
                    self.labels, self.cpu_demand, self.memory_demand, strict=True
                )
            ],
            "cpu_capacity": self.cpu_capacity,
            "memory_capacity_gib": self.memory_capacity,
            "bottleneck_hour": self.bottleneck_hour,
            "resource": self.resource,
            "risk_level": self.risk_level,
        }


def cluster_projection(
    *,
    now: datetime,
    cluster: str,
    supply: ClusterSupply,
    sessions: Sequence[SessionDemand],
    hours: int = DEFAULT_HOURS,
) -> ClusterProjection:
    """CPU and memory wanted hour by hour: what is used now plus every session that has not
    started yet but runs in that hour (sessions running now are already in `used`)."""
    hours = clamp_hours(hours)
    cpu = [supply.cpu_used] * hours
    memory = [supply.memory_used_gib] * hours
    for session in sessions:
        if session.cluster != cluster or session.starts_at < now:
            continue
        for h in range(hours):
            begin = now + timedelta(hours=h)
            if session.starts_at < begin + timedelta(hours=1) and session.ends_at > begin:
                cpu[h] += session.attendees * session.footprint.cpu
                memory[h] += session.attendees * session.footprint.memory_gib
    labels = [hour_label(now + timedelta(hours=h)) for h in range(hours)]
    first, resource = None, None
    for h in range(hours):
        if cpu[h] > supply.cpu_allocatable or memory[h] > supply.memory_allocatable_gib:
            first = h
            resource = "cpu" if cpu[h] > supply.cpu_allocatable else "memory"
            break
    peak = max(
        max(cpu) / supply.cpu_allocatable if supply.cpu_allocatable else 0.0,
        max(memory) / supply.memory_allocatable_gib if supply.memory_allocatable_gib else 0.0,
    )
    if first is not None:
        risk = "critical" if first < 3 else "high"
    else:
        risk = "medium" if peak > 0.8 else "low"
    return ClusterProjection(
        cluster=cluster,
        labels=labels,
        cpu_demand=cpu,
        memory_demand=memory,
        cpu_capacity=supply.cpu_allocatable,
        memory_capacity=supply.memory_allocatable_gib,
        bottleneck_hour=labels[first] if first is not None else None,
        resource=resource,
        risk_level=risk,
    )


def worst_risk(levels: Sequence[str]) -> str:
    return max(levels, key=RISK_ORDER.index, default="low")


@dataclass
class Overall:
    risk_level: str
    bottleneck_hour: str | None
    bottleneck_target: str | None


def overall(pools: Projection, clusters: Sequence[ClusterProjection]) -> Overall:
    """The worst risk of pools and clusters, and the earliest bottleneck of any."""
    candidates: list[tuple[str, str]] = [
        (b.bottleneck_hour, f"pool {b.target}") for b in pools.bottlenecks
    ]
    candidates += [
        (c.bottleneck_hour, f"cluster {c.cluster}") for c in clusters if c.bottleneck_hour
    ]
    first = min(candidates, default=None)
    levels = [pools.risk_level, *(c.risk_level for c in clusters)]
    return Overall(worst_risk(levels), first[0] if first else None, first[1] if first else None)


def by_pool(sessions: Sequence[SessionDemand]) -> dict[str, list[SessionDemand]]:
    grouped: dict[str, list[SessionDemand]] = defaultdict(list)
    for session in sessions:
        grouped[session.pool or UNMAPPED].append(session)
    return grouped
