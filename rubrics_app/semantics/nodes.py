"""Node and cluster semantics: Ready, pressure, capacity, critical alerts."""

from __future__ import annotations

from typing import Any

from stargate.lib.evidence import ClusterHealth, KubeObject

from .common import Health, ObjectHealth, condition, health

PRESSURES = ("MemoryPressure", "DiskPressure", "PIDPressure")
MIN_READY_FRACTION = 0.5


def node_health(node: KubeObject) -> ObjectHealth:
    ready = condition(node, "Ready")
    if ready is None or ready.get("status") != "True":
        return health(node, Health.FAILED, "NodeNotReady", str((ready or {}).get("message", "")))
    pressures = [p for p in PRESSURES if (condition(node, p) or {}).get("status") == "True"]
    if pressures:
        return health(node, Health.WARN, pressures[0], ", ".join(pressures))
    if node.get("spec", {}).get("unschedulable"):
        return health(node, Health.SUSPENDED, "Cordoned")
    return health(node, Health.READY)


def cluster_nodes_health(
    cluster: ClusterHealth, name: str, lab_nodes: frozenset[str] | None = None
) -> ObjectHealth:
    """Losing half the nodes fails every lab on the cluster. Short of that, a NotReady node or one
    under pressure warns only the labs with a pod or VM on it (`lab_nodes`: the nodes the lab's
    pods and VMIs run on): the others run as before, and the cluster's own row on the dashboard
    shows its nodes. Without node names (evidence older than them), every lab warns."""
    total, ready = cluster.get("nodes_total", 0), cluster.get("nodes_ready", 0)
    if ready < total:
        summary = f"{ready}/{total} ready"
        if ready < total * MIN_READY_FRACTION:
            return ObjectHealth("Cluster", name, Health.FAILED, "NodesNotReady", summary)
        down = cluster.get("nodes_not_ready")
        if down is None or lab_nodes is None:
            return ObjectHealth("Cluster", name, Health.WARN, "NodesNotReady", summary)
        if hit := sorted(lab_nodes.intersection(down)):
            message = f"{summary}; the lab runs on {', '.join(hit)}"
            return ObjectHealth("Cluster", name, Health.WARN, "NodesNotReady", message)
    pressure = cluster.get("nodes_with_pressure") or []
    if lab_nodes is not None:
        pressure = sorted(lab_nodes.intersection(pressure))
    if pressure:
        return ObjectHealth("Cluster", name, Health.WARN, "NodePressure", ", ".join(pressure))
    return ObjectHealth("Cluster", name, Health.READY)


def cluster_capacity_health(cluster: ClusterHealth, name: str, limit_pct: float) -> ObjectHealth:
    used = {
        "cpu": cluster.get("cpu_used_pct"),
        "memory": cluster.get("memory_used_pct"),
    }
    over = [f"{key} {pct:.0f}%" for key, pct in used.items() if pct is not None and pct > limit_pct]
    if over:
        return ObjectHealth("Cluster", name, Health.FAILED, "CapacityHigh", ", ".join(over))
    return ObjectHealth("Cluster", name, Health.READY)


def cluster_alerts_health(cluster: ClusterHealth, name: str) -> ObjectHealth:
    if alerts := cluster.get("critical_alerts"):
        return ObjectHealth("Cluster", name, Health.FAILED, "CriticalAlerts", ", ".join(alerts))
    return ObjectHealth("Cluster", name, Health.READY)


def cluster_health_from_capture(capture: dict[str, Any]) -> ClusterHealth:
    """Adapt a captured `ClusterHealth` summary (../shared/fixtures/cluster-scheduler)."""
    metrics = capture.get("metrics", {})
    total, unhealthy = int(metrics.get("total_nodes", 0)), int(metrics.get("unhealthy_nodes", 0))
    alerts = int(metrics.get("critical_alerts", 0))
    return ClusterHealth(
        reachable=True,
        nodes_total=total,
        nodes_ready=total - unhealthy,
        nodes_with_pressure=[],
        cpu_used_pct=metrics.get("cpu_usage_pct"),
        memory_used_pct=metrics.get("memory_usage_pct"),
        critical_alerts=[f"critical alert {i + 1}" for i in range(alerts)],
    )
