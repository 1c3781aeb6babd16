"""Tier-1 facts about nodes, from raw Node and NodeMetrics objects (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kubernetes.utils import parse_quantity

from stargate.lib.evidence import ClusterHealth, KubeObject

PRESSURE_CONDITIONS = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")


@dataclass(frozen=True)
class NodeFacts:
    name: str
    ready: bool
    unschedulable: bool
    pressure: tuple[str, ...]
    cpu_allocatable_millicores: int
    memory_allocatable_bytes: int
    cpu_used_millicores: int | None
    memory_used_bytes: int | None
    hardware_class: str = ""  # the value of the configured hardware label, lower-cased


def quantity(value: Any, scale: int = 1) -> int:
    try:
        return int(Decimal(parse_quantity(value)) * scale) if value is not None else 0
    except (ValueError, ArithmeticError):
        return 0


def node_facts(node: KubeObject, metrics: KubeObject | None, hardware_label: str = "") -> NodeFacts:
    conditions = {
        c.get("type"): c.get("status") for c in node.get("status", {}).get("conditions") or []
    }
    allocatable = node.get("status", {}).get("allocatable") or {}
    usage = (metrics or {}).get("usage") or {}
    return NodeFacts(
        name=str(node.get("metadata", {}).get("name", "")),
        ready=conditions.get("Ready") == "True",
        unschedulable=bool(node.get("spec", {}).get("unschedulable")),
        pressure=tuple(kind for kind in PRESSURE_CONDITIONS if conditions.get(kind) == "True"),
        cpu_allocatable_millicores=quantity(allocatable.get("cpu"), 1000),
        memory_allocatable_bytes=quantity(allocatable.get("memory")),
        cpu_used_millicores=quantity(usage["cpu"], 1000) if "cpu" in usage else None,
        memory_used_bytes=quantity(usage["memory"]) if "memory" in usage else None,
        hardware_class=_hardware_class(node, hardware_label),
    )


def _hardware_class(node: KubeObject, label: str) -> str:
    labels = node.get("metadata", {}).get("labels") or {}
    return str(labels.get(label) or "").strip().lower()[:63] if label else ""


def nodes_facts(
    nodes: list[KubeObject], metrics: list[KubeObject], hardware_label: str = ""
) -> list[NodeFacts]:
    by_name = {m.get("metadata", {}).get("name"): m for m in metrics}
    return [
        node_facts(n, by_name.get(n.get("metadata", {}).get("name")), hardware_label) for n in nodes
    ]


def _used_pct(used: list[int | None], total: list[int]) -> float | None:
    if not used or any(u is None for u in used) or not sum(total):
        return None
    return round(100.0 * sum(u or 0 for u in used) / sum(total), 1)


def cluster_health(facts: list[NodeFacts], *, reachable: bool = True) -> ClusterHealth:
    """The cluster-level summary each namespace's evidence carries."""
    return ClusterHealth(
        reachable=reachable,
        nodes_total=len(facts),
        nodes_ready=sum(1 for f in facts if f.ready),
        nodes_not_ready=[f.name for f in facts if not f.ready],
        nodes_with_pressure=[f.name for f in facts if f.pressure],
        cpu_used_pct=_used_pct(
            [f.cpu_used_millicores for f in facts], [f.cpu_allocatable_millicores for f in facts]
        ),
        memory_used_pct=_used_pct(
            [f.memory_used_bytes for f in facts], [f.memory_allocatable_bytes for f in facts]
        ),
        critical_alerts=[],
    )
