"""The substrate router (spec 23.6): which hardware a cluster's workloads should go to.

A node's hardware class comes from a configurable label; a cluster with no classified node
answers `unknown`, which never triggers `substrate_routing`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

THRESHOLDS = {"gaudi_saturated": 90, "xeon6_underutil": 20, "gaudi_busy": 70, "memory_pressure": 80}


@dataclass(frozen=True)
class ClusterLoad:
    node_labels: Sequence[Mapping[str, str]]
    avg_cpu: float
    avg_memory: float = 0.0
    hot_nodes: int = 0
    failed_nodes: int = 0
    crash_loops: int = 0
    failing_sandboxes: int = 0
    provisioning_blocked: bool = False


def hardware_counts(nodes: Sequence[Mapping[str, str]], label: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for labels in nodes:
        kind = labels.get(label, "").lower()
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def route(load: ClusterLoad, *, label: str, thresholds: Mapping[str, float] = THRESHOLDS) -> str:
    counts = hardware_counts(load.node_labels, label)
    gaudi_nodes, xeon_nodes = counts.get("gaudi", 0), counts.get("xeon6", 0)
    if not gaudi_nodes and not xeon_nodes:
        return "unknown"
    if not gaudi_nodes:
        gaudi = 0.0
    elif load.hot_nodes >= gaudi_nodes:
        gaudi = 95.0
    else:
        gaudi = min(load.avg_cpu * 1.2, 100.0)
    if not xeon_nodes:
        xeon = 0.0
    elif not load.hot_nodes:
        xeon = max(load.avg_cpu * 0.8, 5.0)
    else:
        xeon = load.avg_cpu
    if load.provisioning_blocked and not load.failed_nodes:
        return "no_change"
    if gaudi > thresholds["gaudi_saturated"] or load.failed_nodes > 0:
        return "xeon6_fallback"
    if load.crash_loops > 0 and load.failing_sandboxes > 0:
        return "isolate"
    if xeon < thresholds["xeon6_underutil"] and gaudi > thresholds["gaudi_busy"]:
        return "rebalance_to_xeon6"
    return "gaudi_preferred"
