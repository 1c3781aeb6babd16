"""Per-cluster figures for the placement score and the Launchpad API (spec 24.7), read in a
fixed number of queries whatever the fleet's size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q

from collectors.models import PoolSnapshot, ProvisionRecord
from forecasting.scores import Placement, ReadinessInput, pool_status
from forecasting.scores import placement as placement_score
from forecasting.selectors import cluster_load, newest_first, pool_key
from labs.models import Status
from labs.selectors import Audience, visible_clusters, visible_lab_instances
from scanning.models import NodeSnapshot

HOT_NODE_PCT = 80.0
HEALTHY_RATE = 70.0


@dataclass
class ClusterFigures:
    cluster: str
    cpu_pct: float
    vms_per_node: float
    sandbox_active: int
    sandbox_failing: int
    health_rate: float
    pool_available: int
    pool_total: int
    status: str
    hot_nodes: int
    placement: Placement

    @property
    def score(self) -> float:
        return self.placement.score


def latest_pools() -> dict[str, PoolSnapshot]:
    """The latest snapshot of every pool of every hub (one query), keyed as the capacity
    forecast keys them (`<hub>/<pool>` when several hubs have a pool of that name)."""
    rows = list(
        PoolSnapshot.objects.select_related("hub")
        .annotate(newest=newest_first("pool_name", "hub_id", "taken_at"))
        .filter(newest=1)
        .order_by("pool_name", "hub_id")
    )
    hubs: dict[str, set[int | None]] = defaultdict(set)
    for row in rows:
        hubs[row.pool_name].add(row.hub_id)
    return {pool_key(row, hubs): row for row in rows}


def _pool_clusters() -> dict[str, set[str]]:
    """Pools of each cluster: where their handles' AnarchySubjects run (one query)."""
    found: dict[str, set[str]] = defaultdict(set)
    rows = (
        ProvisionRecord.objects.exclude(pool_name="")
        .exclude(workload_cluster_name="")
        .values_list("workload_cluster_name", "pool_name")
        .distinct()
    )
    for cluster, pool in rows:
        found[cluster].add(pool)
    return found


def _hot_nodes(names: list[str]) -> dict[str, int]:
    hot: dict[str, int] = defaultdict(int)
    for node in (
        NodeSnapshot.objects.filter(cluster__name__in=names)
        .only("cluster__name", "cpu_used_millicores", "cpu_allocatable_millicores")
        .select_related("cluster")
    ):
        pct = node.cpu_used_pct
        if pct is not None and pct > HOT_NODE_PCT:
            hot[node.cluster.name] += 1
    return hot


def cluster_figures(audience: Audience) -> list[ClusterFigures]:
    """Every cluster `audience` sees, best placement score first (7 queries)."""
    clusters = list(visible_clusters(audience).order_by("name"))
    names = [c.name for c in clusters]
    load = cluster_load(audience)
    counts = {
        row["cluster__name"]: row
        for row in visible_lab_instances(audience)
        .values("cluster__name")
        .annotate(
            total=Count("pk"),
            ready=Count("pk", filter=Q(status=Status.READY)),
            failing=Count("pk", filter=Q(status=Status.FAILED)),
        )
        .order_by()
    }
    pools, by_cluster, hot = latest_pools(), _pool_clusters(), _hot_nodes(names)
    figures = []
    for cluster in clusters:
        targeted = by_cluster.get(cluster.name, set())
        mine = (
            {key for key, row in pools.items() if row.pool_name in targeted}
            or {key for key, row in pools.items() if row.hub_id == cluster.pk}
            or {key for key in pools if cluster.name in key}
        )
        available = sum(pools[p].available for p in mine if p in pools)
        total = sum(pools[p].total_handles for p in mine if p in pools)
        row = counts.get(cluster.name, {"total": 0, "ready": 0, "failing": 0})
        health = round(100 * row["ready"] / row["total"], 1) if row["total"] else 100.0
        figures_load = load.get(cluster.name, {})
        cpu_all = figures_load.get("cpu_all", 0.0)
        cpu = round(100 * figures_load.get("cpu_used", 0.0) / cpu_all, 1) if cpu_all else 0.0
        nodes = figures_load.get("nodes", 0.0) or 1.0
        vms = round(figures_load.get("vms", 0.0) / nodes, 1)
        status = (
            "unreachable"
            if not cluster.reachable
            else ("healthy" if health >= HEALTHY_RATE else "degraded")
        )
        figures.append(
            ClusterFigures(
                cluster=cluster.name,
                cpu_pct=cpu,
                vms_per_node=vms,
                sandbox_active=row["total"],
                sandbox_failing=row["failing"],
                health_rate=health,
                pool_available=available,
                pool_total=total,
                status=status,
                hot_nodes=hot.get(cluster.name, 0),
                placement=placement_score(
                    cpu_pct=cpu, vms_per_node=vms, health_rate=health, pool_available=available
                ),
            )
        )
    return sorted(figures, key=lambda f: (-f.score, f.cluster))


def pool_rows(audience: Audience) -> list[dict[str, object]]:
    """Spec 24.7 pools availability rows: operators see every pool; a team, its labs' pools."""
    pools = latest_pools()
    if not audience.everything:
        from labs.selectors import visible_labs

        items = set(visible_labs(audience).values_list("catalog_item", flat=True))
        pools = {name: row for name, row in pools.items() if row.catalog_item in items}
    return [
        {
            "name": name,
            "available": row.available,
            "ready": row.ready,
            "min": row.min_available,
            "status": pool_status(row.available, row.min_available),
        }
        for name, row in sorted(pools.items())
    ]


def readiness_input(audience: Audience) -> ReadinessInput:
    """The readiness score's inputs (spec 24.6) for the labs of the schedule `audience` sees."""
    from django.utils import timezone

    from collectors.models import ScheduledLab, SmokeTestResult
    from collectors.selectors import pool_mappings
    from forecasting.models import Session
    from forecasting.selectors import capacity_forecast, pool_for
    from labs.selectors import visible_labs

    now = timezone.now()
    scheduled = list(
        ScheduledLab.objects.filter(lab__in=visible_labs(audience)).select_related("lab")
    )
    labs = [row.lab for row in scheduled if row.lab is not None]
    with_sessions = set(
        Session.objects.filter(lab__in=labs, ends_at__gt=now).values_list("lab_id", flat=True)
    )
    started = set(
        ProvisionRecord.objects.filter(lab__in=labs, current_state="started").values_list(
            "lab_id", flat=True
        )
    )
    smoked = set(SmokeTestResult.objects.filter(lab__in=labs).values_list("lab_id", flat=True))
    forecast = capacity_forecast(audience=audience, now=now)
    items = {p.name: p.catalog_item for p in forecast.pools}
    mappings = pool_mappings()
    provisioned = sum(
        1
        for row in scheduled
        if row.lab is not None
        and (
            row.lab_id in started
            or row.lab_id in smoked
            or row.cloud == "Tenant Namespace"
            or pool_for(row.lab, row.lab_code, items, mappings) is not None
        )
    )
    figures = cluster_figures(audience)
    return ReadinessInput(
        labs_total=len(scheduled),
        labs_provisioned=provisioned,
        labs_with_sessions=sum(1 for row in scheduled if row.lab_id in with_sessions),
        cluster_health_rates=[f.health_rate for f in figures],
        critical_clusters=sum(f.status == "unreachable" for f in figures),
        depleting_exhaustion_hours=[
            p.eta.hours for p in forecast.pools if p.velocity.trend == "depleting" and p.eta.hours
        ],
        sandboxes_total=sum(f.sandbox_active for f in figures),
        sandboxes_failing=sum(f.sandbox_failing for f in figures),
    )
