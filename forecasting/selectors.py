from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from collectors.models import CatalogDefinition, ClusterUtilisation, LabMapping, PoolSnapshot
from collectors.selectors import pool_by_mapping, pool_mappings, pool_owner
from forecasting.complexity import Footprint, footprint
from forecasting.models import Session
from forecasting.projection import (
    DEFAULT_HOURS,
    ClusterProjection,
    ClusterSupply,
    Overall,
    PoolSupply,
    Projection,
    SessionDemand,
    clamp_hours,
    cluster_projection,
    overall,
    pool_projection,
)
from forecasting.scores import pool_status
from forecasting.velocity import (
    Exhaustion,
    PoolPoint,
    Velocity,
    exhaustion,
    pool_velocity,
    recycling_rate,
    window,
)
from labs.models import Cluster, Lab, Status
from labs.selectors import Audience, visible_clusters, visible_labs
from scanning.models import LabEvidence, NodeSnapshot


def newest_first(*partition_and_time: str) -> Window:
    """1 for the newest row of each group (the last name is the time field): DISTINCT ON's
    meaning on every database (SQLite has no DISTINCT ON)."""
    *partition, at = partition_and_time
    return Window(RowNumber(), partition_by=[F(name) for name in partition], order_by=F(at).desc())


def session_running(*, lab: Lab, now: dt.datetime, cluster: Cluster | None = None) -> bool:
    """Whether attendees are in `lab` at `now`: a session of the lab covers that moment, on
    `cluster` or on every cluster. Without a cluster, a session on any cluster counts."""
    sessions = Session.objects.filter(lab=lab, starts_at__lte=now, ends_at__gt=now)
    if cluster is not None:
        sessions = sessions.filter(Q(cluster__isnull=True) | Q(cluster=cluster))
    return sessions.exists()


# --- Capacity forecast: the stored history and schedule, read for the pure maths ------------


@dataclass
class PoolForecast:
    name: str  # the pool's name, or `<hub>/<pool>` when several hubs have a pool of that name
    pool_name: str
    hub: str
    available: int
    ready: int
    min_required: int
    catalog_item: str
    history: list[PoolPoint]
    velocity: Velocity
    recycling: float
    eta: Exhaustion
    status: str
    risk: str = "low"

    def facts(self) -> dict[str, object]:
        """The policy engine's pool facts (spec 23.2)."""
        return {
            "name": self.name,
            "available": self.available,
            "ready": self.ready,
            "min_required": self.min_required,
            "pool_velocity": self.velocity.handles_per_hour,
            "estimated_exhaustion_hours": self.eta.hours,
            "recycling_rate": self.recycling,
        }


@dataclass
class CapacityForecast:
    now: dt.datetime
    hours: int
    pools: list[PoolForecast]
    sessions: list[Session]
    demands: list[SessionDemand]
    projection: Projection
    clusters: list[ClusterProjection]
    overall: Overall
    cluster_load: dict[str, dict[str, float]] = field(default_factory=dict)
    footprints: dict[str, Footprint] = field(default_factory=dict)  # catalog item -> per attendee


def pool_key(row: PoolSnapshot, hubs: dict[str, set[int | None]]) -> str:
    """A pool's name, prefixed by its hub cluster when pools of that name live on several
    hubs (each scanned cluster its own hub): their histories must not mix."""
    if len(hubs.get(row.pool_name, ())) > 1 and row.hub is not None:
        return f"{row.hub.name}/{row.pool_name}"
    return row.pool_name


def _pool_points(
    rows: list[PoolSnapshot], hubs: dict[str, set[int | None]]
) -> dict[str, list[PoolPoint]]:
    points: dict[str, list[PoolPoint]] = defaultdict(list)
    for row in rows:
        points[pool_key(row, hubs)].append(
            PoolPoint(row.taken_at, row.available, row.min_available)
        )
    for series in points.values():
        series.sort(key=lambda p: p.at)
    return points


def short_name(catalog_item: str) -> str:
    """`<account>.<short name>.<stage>` -> the short name; anything else as it is."""
    parts = catalog_item.split(".")
    return parts[1] if len(parts) == 3 else catalog_item


def pool_for(
    lab: Lab, lab_code: str, pools: dict[str, str], mappings: Sequence[LabMapping] = ()
) -> str | None:
    """Spec 24.1: the pool of the lab's catalog item (by full name, then by short name, then a
    pool named after it), else one whose name contains the lower-cased lab code, else one a
    lab mapping of the lab names by its `pool_pattern` (3.3, `mappings` from
    `collectors.selectors.pool_mappings`). `pools`: pool name -> catalog item
    (spec.provider.name)."""
    item, short = lab.catalog_item, short_name(lab.catalog_item)
    ordered = sorted(pools.items())
    tests = (
        lambda name, provider: bool(provider) and provider == item,
        lambda name, provider: bool(provider) and short_name(provider) == short,
        lambda name, provider: name in (item, short),
    )
    for test in tests:
        for name, provider in ordered:
            if test(name, provider):
                return name
    code = lab_code.lower()
    if code:
        for name, _ in ordered:
            if code in name.lower():
                return name
    return pool_by_mapping(lab, lab_code, [name for name, _ in ordered], mappings)


def _visible_pools(
    latest: dict[str, PoolSnapshot],
    labs: list[Lab],
    codes: set[str],
    mappings: Sequence[LabMapping] = (),
) -> set[str]:
    """The pools of a team's labs: by catalog item, by lab code, or by a pool-pattern mapping
    of one of its labs (or of a visible session's lab code)."""
    items = {lab.catalog_item for lab in labs}
    lab_ids = {lab.pk for lab in labs}

    def mapped(pool_name: str) -> bool:
        found = pool_owner(pool_name, mappings) if mappings else None
        if found is None:
            return False
        if found.lab_id is not None:
            return found.lab_id in lab_ids
        return found.lab_code.lower() in codes

    return {
        name
        for name, row in latest.items()
        if row.catalog_item in items
        or any(code and code in name.lower() for code in codes)
        or mapped(row.pool_name)
    }


def capacity_forecast(
    *,
    audience: Audience,
    now: dt.datetime | None = None,
    hours: int = DEFAULT_HOURS,
    window_hours: float = 6.0,
    history_hours: float = 24.0,
    method: str = "regression",
) -> CapacityForecast:
    """Pools, sessions and clusters `audience` may see, projected hour by hour (8 queries)."""
    now = now or timezone.now()
    hours = clamp_hours(hours)
    rows = list(
        PoolSnapshot.objects.filter(taken_at__gte=now - dt.timedelta(hours=history_hours))
        .order_by("taken_at")
        .select_related("hub")
        .only(
            "pool_name",
            "taken_at",
            "available",
            "ready",
            "min_available",
            "catalog_item",
            "hub__name",
        )
    )
    hubs: dict[str, set[int | None]] = defaultdict(set)
    for row in rows:
        hubs[row.pool_name].add(row.hub_id)
    latest = {pool_key(row, hubs): row for row in rows}
    sessions = list(
        visible_sessions(audience)
        .filter(ends_at__gt=now, starts_at__lt=now + dt.timedelta(hours=hours))
        .select_related("lab", "cluster")
    )
    labs = list(visible_labs(audience)) if not audience.everything else []
    mappings = pool_mappings()
    if not audience.everything:
        codes = {s.lab_code.lower() for s in sessions}
        keep = _visible_pools(latest, labs, codes, mappings)
        latest = {name: row for name, row in latest.items() if name in keep}
    points = _pool_points(rows, hubs)
    pools = [
        _pool_forecast(name, row, points[name], now, window_hours, method)
        for name, row in sorted(latest.items())
    ]
    footprints = catalog_footprints({s.lab.catalog_item for s in sessions})
    pool_items = {name: row.catalog_item for name, row in latest.items()}
    demands = [
        SessionDemand(
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            attendees=s.attendees or 1,
            footprint=footprints[s.lab.catalog_item],
            lab_code=s.lab_code or s.lab.catalog_item,
            pool=pool_for(s.lab, s.lab_code, pool_items, mappings),
            cluster=s.cluster.name if s.cluster else None,
        )
        for s in sessions
    ]
    supply = {
        p.name: PoolSupply(p.available, p.velocity.handles_per_hour, p.recycling) for p in pools
    }
    projection = pool_projection(now=now, pools=supply, sessions=demands, hours=hours)
    for pool in pools:
        pool.risk = projection.risk_by_pool.get(pool.name, "low")
    load = cluster_load(audience)
    clusters = [
        cluster_projection(
            now=now,
            cluster=name,
            supply=ClusterSupply(
                figures["cpu_all"], figures["cpu_used"], figures["mem_all"], figures["mem_used"]
            ),
            sessions=demands,
            hours=hours,
        )
        for name, figures in sorted(load.items())
        if figures["cpu_all"] > 0
    ]
    return CapacityForecast(
        now,
        hours,
        pools,
        sessions,
        demands,
        projection,
        clusters,
        overall(projection, clusters),
        load,
        footprints,
    )


def _pool_forecast(
    name: str,
    row: PoolSnapshot,
    history: list[PoolPoint],
    now: dt.datetime,
    window_hours: float,
    method: str,
) -> PoolForecast:
    velocity = pool_velocity(window(history, now, window_hours), method=method)
    return PoolForecast(
        name=name,
        pool_name=row.pool_name,
        hub=row.hub.name if row.hub is not None else "",
        available=row.available,
        ready=row.ready,
        min_required=row.min_available,
        catalog_item=row.catalog_item,
        history=history,
        velocity=velocity,
        recycling=recycling_rate(window(history, now, window_hours)),
        eta=exhaustion(row.available, velocity),
        status=pool_status(row.available, row.min_available),
    )


def observed_sizes(catalog_items: set[str]) -> dict[str, list[tuple[float, float]]]:
    """The measured size (CPU cores, memory GiB) of each running lab of these catalog items:
    the requests of its running pods, which the scanner stores with its evidence; a lab runs
    when it is live and Ready or Warn (one query)."""
    found: dict[str, list[tuple[float, float]]] = defaultdict(list)
    if not catalog_items:
        return found
    rows = LabEvidence.objects.filter(
        lab_instance__lab__catalog_item__in=catalog_items,
        lab_instance__deleted_at__isnull=True,
        lab_instance__status__in=(Status.READY, Status.WARN),
        cpu_requested_millicores__gt=0,
        memory_requested_bytes__gt=0,
    ).values_list(
        "lab_instance__lab__catalog_item", "cpu_requested_millicores", "memory_requested_bytes"
    )
    for item, cpu, memory in rows:
        found[item].append(((cpu or 0) / 1000, (memory or 0) / 1024**3))
    return found


def catalog_footprints(catalog_items: set[str]) -> dict[str, Footprint]:
    """Per catalog item, what one attendee takes: the median of its running labs' measured size
    once `FOOTPRINT_MIN_LABS` are known, else one sandbox scaled by the complexity score
    (2 queries)."""
    scores, observed = catalog_scores(catalog_items), observed_sizes(catalog_items)
    return {
        item: footprint(
            scores.get(item), observed.get(item, ()), min_observed=settings.FOOTPRINT_MIN_LABS
        )
        for item in catalog_items
    }


def catalog_scores(catalog_items: set[str]) -> dict[str, float]:
    """The AgnosticV complexity score per catalog item, named in full or by its short name
    (one query; with several stages of one short name, the `prod` stage wins)."""
    if not catalog_items:
        return {}
    shorts = {short_name(item) for item in catalog_items}
    rows = CatalogDefinition.objects.filter(
        Q(catalog_item__in=catalog_items) | Q(item__in=shorts)
    ).values_list("catalog_item", "item", "stage", "complexity_score")
    scores: dict[str, float] = {}
    for full, item, _stage, score in sorted(rows, key=lambda r: r[2] == "prod"):
        scores[full] = score
        scores[item] = score  # prod sorts last: it wins
    return {name: scores[name] for name in catalog_items if name in scores} | {
        name: scores[short_name(name)]
        for name in catalog_items
        if name not in scores and short_name(name) in scores
    }


def visible_sessions(audience: Audience) -> QuerySet[Session]:
    if audience.everything:
        return Session.objects.all()
    return Session.objects.filter(lab__team_id__in=sorted(audience.team_ids))


def cluster_load(audience: Audience) -> dict[str, dict[str, float]]:
    """Allocatable and used CPU (cores) and memory (GiB) per cluster from the latest node
    snapshots, with the VM count per node when the cluster scheduler reported one (2 queries)."""
    clusters = visible_clusters(audience)
    rows = (
        NodeSnapshot.objects.filter(cluster__in=clusters)
        .values("cluster__name")
        .annotate(
            nodes=Count("id"),
            cpu_all=Sum("cpu_allocatable_millicores"),
            cpu_used=Sum("cpu_used_millicores"),
            mem_all=Sum("memory_allocatable_bytes"),
            mem_used=Sum("memory_used_bytes"),
        )
        .order_by()
    )
    gib = 1024**3
    load = {
        row["cluster__name"]: {
            "nodes": float(row["nodes"]),
            "cpu_all": (row["cpu_all"] or 0) / 1000,
            "cpu_used": (row["cpu_used"] or 0) / 1000,
            "mem_all": (row["mem_all"] or 0) / gib,
            "mem_used": (row["mem_used"] or 0) / gib,
            "vms": 0.0,
        }
        for row in rows
    }
    for name, vms in (
        ClusterUtilisation.objects.filter(cluster__in=clusters, vm_count__isnull=False)
        .annotate(newest=newest_first("cluster_id", "captured_at"))
        .filter(newest=1)
        .values_list("cluster__name", "vm_count")
    ):
        if name in load:
            load[name]["vms"] = float(vms or 0)
    return load


# --- One lab's pool and sessions (the investigation agent's tools, the evidence bundle) -----

POOL_SNAPSHOTS_SHOWN = 6


def lab_pool_state(
    lab: Lab, lab_code: str, *, now: dt.datetime | None = None, history_hours: float = 6.0
) -> dict[str, object] | None:
    """The lab's pool (spec 24.1's link) as its newest snapshot says, with its last few
    snapshots and its velocity over `history_hours`; None when no pool is known (2 queries, 3
    when the pool is found only through a lab mapping's pool pattern)."""
    found = lab_pool_states([(lab, lab_code)], now=now, history_hours=history_hours)
    return found[(lab.pk, lab_code)]


def lab_pool_states(
    labs: Iterable[tuple[Lab, str]],
    *,
    now: dt.datetime | None = None,
    history_hours: float = 6.0,
) -> dict[tuple[int, str], dict[str, object] | None]:
    """`lab_pool_state` for many (lab, lab code) pairs: (lab pk, lab code) → its pool's state,
    in 2 queries (the newest snapshot of every pool, then the history of the pools found), and
    one more when a lab's pool is found only through a lab mapping's pool pattern."""
    pairs = {(lab.pk, code): (lab, code) for lab, code in labs}
    if not pairs:
        return {}
    now = now or timezone.now()
    since = now - dt.timedelta(hours=history_hours)
    newest = {
        row.pool_name: row
        for row in PoolSnapshot.objects.filter(taken_at__gte=now - dt.timedelta(hours=24))
        .annotate(newest=newest_first("pool_name", "taken_at"))
        .filter(newest=1)
    }
    items = {name: row.catalog_item for name, row in newest.items()}
    names = {key: pool_for(lab, code, items) for key, (lab, code) in pairs.items()}
    if any(name is None for name in names.values()):
        mappings = pool_mappings()
        for key, (lab, code) in pairs.items():
            names[key] = names[key] or pool_for(lab, code, items, mappings)
    history: dict[str, list[PoolSnapshot]] = defaultdict(list)
    wanted = {name for name in names.values() if name is not None}
    if wanted:
        for row in PoolSnapshot.objects.filter(pool_name__in=wanted, taken_at__gte=since).order_by(
            "pool_name", "-taken_at"
        ):
            history[row.pool_name].append(row)
    return {
        key: None if name is None else _pool_state(name, history.get(name) or [newest[name]])
        for key, name in names.items()
    }


def _pool_state(name: str, rows: list[PoolSnapshot]) -> dict[str, object]:
    """A pool's state from its snapshots, newest first (the newest alone when none is recent:
    a pool known within 24 hours has its newest snapshot among them)."""
    head = rows[0]
    points = [PoolPoint(r.taken_at, r.available, r.min_available) for r in rows]
    return {
        "pool": name,
        "available": head.available,
        "ready": head.ready,
        "min_available": head.min_available,
        "max_unready": head.max_unready,
        "total_handles": head.total_handles,
        "status": pool_status(head.available, head.min_available),
        "taken_at": head.taken_at.isoformat(),
        "velocity": pool_velocity(points).as_dict(),
        "recent": [
            {"at": r.taken_at.isoformat(), "available": r.available, "ready": r.ready}
            for r in rows[:POOL_SNAPSHOTS_SHOWN]
        ],
    }


def lab_sessions(
    lab: Lab, *, cluster: Cluster | None = None, now: dt.datetime | None = None, days: int = 7
) -> list[Session]:
    """The lab's sessions running now or starting within `days`, soonest first (on `cluster`
    or on every cluster)."""
    return lab_sessions_many([(lab, cluster)], now=now, days=days)[
        (lab.pk, cluster.pk if cluster else None)
    ]


def lab_sessions_many(
    labs: Iterable[tuple[Lab, Cluster | None]], *, now: dt.datetime | None = None, days: int = 7
) -> dict[tuple[int, int | None], list[Session]]:
    """`lab_sessions` for many (lab, cluster) pairs, in one query: (lab pk, cluster pk or None)
    → its sessions, soonest first."""
    keys = {(lab.pk, cluster.pk if cluster else None) for lab, cluster in labs}
    if not keys:
        return {}
    now = now or timezone.now()
    rows = list(
        Session.objects.filter(
            lab_id__in={lab for lab, _ in keys},
            ends_at__gt=now,
            starts_at__lt=now + dt.timedelta(days=days),
        ).order_by("starts_at", "pk")
    )
    return {
        (lab, cluster): [
            s
            for s in rows
            if s.lab_id == lab and (cluster is None or s.cluster_id in (None, cluster))
        ]
        for lab, cluster in keys
    }
