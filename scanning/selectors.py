"""Reads of scanning's stored data that other apps need: `rubrics_app`'s replay, the API,
the pages of other apps (scan runs and node snapshots)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet, Sum

from labs import selectors as lab_selectors
from labs.models import Cluster, LabInstance
from scanning.assemble import lab_context
from scanning.models import LabEvidence, NodeSnapshot, ScanRun
from stargate.lib.evidence import NamespaceEvidence


def lab_evidence_latest() -> Iterator[tuple[LabInstance, NamespaceEvidence]]:
    """The latest evidence of every lab instance, as the scan assembled it, with the lab
    context it adds today filled in on rows stored before it did."""
    rows = LabEvidence.objects.select_related("lab_instance__cluster", "lab_instance__lab")
    for row in rows.iterator(chunk_size=500):
        lab_instance = row.lab_instance
        evidence: NamespaceEvidence = dict(row.evidence)  # type: ignore[assignment]
        evidence["lab"] = {**lab_context(lab_instance), **(evidence.get("lab") or {})}
        yield lab_instance, evidence


def scan_runs_for(user: User) -> QuerySet[ScanRun]:
    """The scan runs `user` may see, newest first: those of the clusters they see
    (`labs.selectors.clusters_for`). Their figures count every team's labs and their errors
    name namespaces: pages and the API show those to platform operators only."""
    runs = ScanRun.objects.select_related("cluster").order_by("-started_at", "-pk")
    if lab_selectors.is_platform_operator(user):
        return runs
    return runs.filter(cluster__in=lab_selectors.clusters_for(user))


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


def node_usage() -> list[dict[str, Any]]:
    """Every node's latest CPU and memory use in % (None when unknown), with its cluster id,
    name and when it was collected; for the dashboard's usage history."""
    rows = NodeSnapshot.objects.values_list(
        "cluster_id",
        "name",
        "cpu_used_millicores",
        "cpu_allocatable_millicores",
        "memory_used_bytes",
        "memory_allocatable_bytes",
        "collected_at",
    ).order_by()
    return [
        {
            "cluster_id": cluster_id,
            "node": name,
            "cpu_pct": percent(cpu_used, cpu_all),
            "memory_pct": percent(mem_used, mem_all),
            "collected_at": collected_at,
        }
        for cluster_id, name, cpu_used, cpu_all, mem_used, mem_all, collected_at in rows
    ]


def scan_durations(
    cluster: Cluster, *, since: datetime, limit: int = 3000
) -> list[tuple[int, datetime, float]]:
    """(tier, started at, duration in ms) of the cluster's finished runs since `since`, oldest
    first (one query, at most `limit` rows: the newest)."""
    rows = (
        ScanRun.objects.filter(cluster=cluster, started_at__gte=since, duration_ms__isnull=False)
        .order_by("-started_at")
        .values_list("tier", "started_at", "duration_ms")[:limit]
    )
    return [(tier, at, duration or 0.0) for tier, at, duration in reversed(list(rows))]


def node_conditions(node: NodeSnapshot, threshold_pct: float) -> list[str]:
    """What is wrong with a node, in words ("NotReady", "CPU 97% (over 90%)", ...); [] if fine."""
    found = [] if node.ready else ["NotReady"]
    for label, pct in (("CPU", node.cpu_used_pct), ("memory", node.memory_used_pct)):
        if pct is not None and pct > threshold_pct:
            found.append(f"{label} {pct:.0f}% (over {threshold_pct:.0f}%)")
    found += [str(p) for p in node.pressure or []]
    return found


def node_overview_by_cluster(
    threshold_pct: float,
) -> tuple[dict[int, dict[str, Any]], dict[int, list[str]]]:
    """From one read of the latest node snapshots: `node_totals_by_cluster`'s totals, and
    {cluster id: ["node worker-2 NotReady", ...]} for every node that is not fine."""
    sums: dict[int, dict[str, Any]] = {}
    found: dict[int, list[str]] = {}
    for node in NodeSnapshot.objects.order_by("cluster_id", "name"):
        row = sums.setdefault(
            node.cluster_id,
            {
                "total": 0,
                "ready": 0,
                "cpu_used": None,
                "cpu_all": 0,
                "mem_used": None,
                "mem_all": 0,
            },
        )
        row["total"] += 1
        row["ready"] += int(node.ready)
        row["cpu_all"] += node.cpu_allocatable_millicores
        row["mem_all"] += node.memory_allocatable_bytes
        if node.cpu_used_millicores is not None:
            row["cpu_used"] = (row["cpu_used"] or 0) + node.cpu_used_millicores
        if node.memory_used_bytes is not None:
            row["mem_used"] = (row["mem_used"] or 0) + node.memory_used_bytes
        if conditions := node_conditions(node, threshold_pct):
            found.setdefault(node.cluster_id, []).append(
                f"node {node.name} {', '.join(conditions)}"
            )
    totals = {
        pk: {
            "total": row["total"],
            "ready": row["ready"],
            "cpu_pct": percent(row["cpu_used"], row["cpu_all"]),
            "memory_pct": percent(row["mem_used"], row["mem_all"]),
        }
        for pk, row in sums.items()
    }
    return totals, found
