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


@dataclass(frozen=True)
class Routing:
    """The router's answer: the decision, where inference and compute go, and the estimated
    utilisation of each hardware class it was decided on."""

    decision: str
    inference: str = ""
    compute: str = ""
    gaudi_utilisation: float = 0.0
    xeon6_utilisation: float = 0.0
    gaudi_nodes: int = 0
    xeon6_nodes: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "routing": self.decision,
            "inference": self.inference,
            "compute": self.compute,
            "gaudi_utilisation": round(self.gaudi_utilisation, 1),
            "xeon6_utilisation": round(self.xeon6_utilisation, 1),
            "gaudi_nodes": self.gaudi_nodes,
            "xeon6_nodes": self.xeon6_nodes,
        }


UNKNOWN = Routing("unknown")


def decide(
    load: ClusterLoad, *, label: str, thresholds: Mapping[str, float] = THRESHOLDS
) -> Routing:
    """Spec 23.6, first match; roles by default `inference: gaudi`, `compute: xeon6`."""
    counts = hardware_counts(load.node_labels, label)
    gaudi_nodes, xeon_nodes = counts.get("gaudi", 0), counts.get("xeon6", 0)
    if not gaudi_nodes and not xeon_nodes:
        return UNKNOWN
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

    def answer(decision: str, inference: str = "gaudi", compute: str = "xeon6") -> Routing:
        return Routing(decision, inference, compute, gaudi, xeon, gaudi_nodes, xeon_nodes)

    if load.provisioning_blocked and not load.failed_nodes:
        return answer("no_change")
    if gaudi > thresholds["gaudi_saturated"] or load.failed_nodes > 0:
        return answer("xeon6_fallback", "xeon6", "xeon6")
    if load.crash_loops > 0 and load.failing_sandboxes > 0:
        return answer("isolate")
    if xeon < thresholds["xeon6_underutil"] and gaudi > thresholds["gaudi_busy"]:
        return answer("rebalance_to_xeon6", "gaudi", "xeon6")
    if load.avg_memory > thresholds["memory_pressure"]:
        return answer("gaudi_preferred", "gaudi", "gaudi")
    return answer("gaudi_preferred")


def route(load: ClusterLoad, *, label: str, thresholds: Mapping[str, float] = THRESHOLDS) -> str:
    return decide(load, label=label, thresholds=thresholds).decision
