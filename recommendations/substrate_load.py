"""What the substrate router (23.6) decides on, per cluster, from what the scanner and the
collectors stored: the nodes' hardware classes (the configured node label), hot nodes (CPU over
80 % in the node metrics, or a node the Prometheus `cpu_saturation` query returned), failed
nodes (not Ready), crash loops (unhealthy operator pods), failing sandboxes (failed lab
instances) and blocked provisioning (AnarchySubjects target the cluster and none is started).
Five queries for every cluster together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q

from collectors.models import ClusterAlert, ProvisionRecord
from labs.models import LabInstance, Status
from recommendations.detectors import CleanupReport
from recommendations.substrate import UNKNOWN, ClusterLoad, Routing, decide
from scanning.models import NodeSnapshot

HOT_NODE_PCT = 80.0
SATURATION_QUERY = "cpu_saturation"


@dataclass
class _Nodes:
    classes: list[str] = field(default_factory=list)
    hot: set[str] = field(default_factory=set)
    failed: int = 0


def _nodes(names: set[str]) -> dict[str, _Nodes]:
    """Per cluster: the classified nodes' classes, hot node names, not-ready node count."""
    found: dict[str, _Nodes] = defaultdict(_Nodes)
    rows = NodeSnapshot.objects.filter(cluster__name__in=names).values_list(
        "cluster__name",
        "name",
        "ready",
        "hardware_class",
        "cpu_used_millicores",
        "cpu_allocatable_millicores",
    )
    for cluster, node, ready, hardware, used, allocatable in rows:
        entry = found[cluster]
        if hardware:
            entry.classes.append(hardware)
        if used is not None and allocatable and 100.0 * used / allocatable > HOT_NODE_PCT:
            entry.hot.add(node)
        entry.failed += 0 if ready else 1
    return found


def _saturated(names: set[str]) -> dict[str, set[str]]:
    hot: dict[str, set[str]] = defaultdict(set)
    rows = ClusterAlert.objects.filter(
        cluster__name__in=names,
        kind=ClusterAlert.Kind.QUERY,
        name=SATURATION_QUERY,
        closed_at=None,
    ).values_list("cluster__name", "node")
    for cluster, node in rows:
        if node:
            hot[cluster].add(node.split(":")[0])
    return hot


def _failing_sandboxes(names: set[str]) -> dict[str, int]:
    rows = (
        LabInstance.objects.filter(
            cluster__name__in=names, deleted_at__isnull=True, status=Status.FAILED
        )
        .values("cluster__name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["cluster__name"]: row["n"] for row in rows}


def _blocked(names: set[str]) -> set[str]:
    rows = (
        ProvisionRecord.objects.filter(workload_cluster_name__in=names)
        .values("workload_cluster_name")
        .annotate(started=Count("pk", filter=Q(current_state="started")))
        .order_by()
    )
    return {row["workload_cluster_name"] for row in rows if not row["started"]}


def cluster_routing(
    cluster_load: Mapping[str, Mapping[str, float]],
    cleanup: Mapping[str, CleanupReport],
    *,
    label: str | None = None,
) -> dict[str, tuple[Routing, ClusterLoad]]:
    """The router's answer per cluster of `cluster_load` (the capacity forecast's figures),
    with the load it was decided on; `unknown` where no node is classified."""
    label = label if label is not None else settings.NODE_HARDWARE_LABEL
    names = set(cluster_load)
    if not names:
        return {}
    nodes, saturated = _nodes(names), _saturated(names)
    failing, blocked = _failing_sandboxes(names), _blocked(names)
    answers: dict[str, tuple[Routing, ClusterLoad]] = {}
    for name in sorted(names):
        entry = nodes.get(name) or _Nodes()
        figures = cluster_load[name]
        report = cleanup.get(name)
        load = ClusterLoad(
            node_labels=[{label: c} for c in entry.classes],
            avg_cpu=_pct(figures.get("cpu_used", 0), figures.get("cpu_all", 0)),
            avg_memory=_pct(figures.get("mem_used", 0), figures.get("mem_all", 0)),
            hot_nodes=len(entry.hot | saturated.get(name, set())),
            failed_nodes=entry.failed,
            crash_loops=len(report.operator_pods) if report else 0,
            failing_sandboxes=failing.get(name, 0),
            provisioning_blocked=name in blocked,
        )
        routing = decide(load, label=label) if load.node_labels else UNKNOWN
        answers[name] = (routing, load)
    return answers


def _pct(used: float, total: float) -> float:
    return round(100 * used / total, 1) if total else 0.0
