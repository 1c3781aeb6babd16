"""Read queries over scan runs and node snapshots, for the pages of other apps."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, Sum

from labs.models import Cluster
from scanning.models import NodeSnapshot, ScanRun


def cluster_scan_runs(cluster: Cluster, limit: int = 20) -> list[ScanRun]:
    return list(ScanRun.objects.filter(cluster=cluster).order_by("-started_at")[:limit])


def cluster_nodes(cluster: Cluster) -> list[NodeSnapshot]:
    return list(NodeSnapshot.objects.filter(cluster=cluster).order_by("name"))


def last_scans_by_cluster() -> dict[int, list[dict[str, Any]]]:
    """{cluster id: [{tier, at}, ...]}: when each tier last started a scan, tier order."""
    rows = (
        ScanRun.objects.values("cluster_id", "tier")
        .annotate(at=Max("started_at"))
        .order_by("cluster_id", "tier")
    )
    scans: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        scans.setdefault(row["cluster_id"], []).append({"tier": row["tier"], "at": row["at"]})
    return scans


def node_totals_by_cluster() -> dict[int, dict[str, Any]]:
    """{cluster id: nodes total/ready and CPU/memory use in %} from the latest node snapshots."""
    rows = (
        NodeSnapshot.objects.values("cluster_id")
        .annotate(
            total=Count("id"),
            ready=Count("id", filter=Q(ready=True)),
            cpu_used=Sum("cpu_used_millicores"),
            cpu_all=Sum("cpu_allocatable_millicores"),
            mem_used=Sum("memory_used_bytes"),
            mem_all=Sum("memory_allocatable_bytes"),
        )
        .order_by()
    )
    return {
        row["cluster_id"]: {
            "total": row["total"],
            "ready": row["ready"],
            "cpu_pct": percent(row["cpu_used"], row["cpu_all"]),
            "memory_pct": percent(row["mem_used"], row["mem_all"]),
        }
        for row in rows
    }


def percent(used: int | None, total: int | None) -> float | None:
    return round(100.0 * used / total, 1) if used is not None and total else None
