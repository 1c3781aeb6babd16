"""Generated evidence for engine tests."""

from __future__ import annotations

from typing import Any

from scanning.kinds import EVIDENCE_KINDS
from stargate.lib.evidence import NamespaceEvidence

T0 = "2026-05-05T15:00:00+00:00"


def evidence(**kinds: Any) -> NamespaceEvidence:
    """Evidence with every kind collected (empty unless given) and an Active namespace."""
    extra = {k: kinds.pop(k) for k in ("showroom", "cluster_health", "lab", "stale") if k in kinds}
    namespace = kinds.pop("namespace_object", ns())
    objects = {kind: list(kinds.pop(kind, [])) for kind in EVIDENCE_KINDS}
    assert not kinds, f"unknown kinds {kinds}"
    return NamespaceEvidence(
        cluster="c1",
        namespace="sandbox-abc-lab",
        namespace_object=namespace,
        objects=objects,
        showroom=extra.get("showroom"),
        cluster_health=extra.get("cluster_health"),
        lab=extra.get("lab", {}),
        stale=extra.get("stale", False),
    )


def ns(phase: str = "Active") -> dict[str, Any]:
    return {
        "kind": "Namespace",
        "metadata": {"name": "sandbox-abc-lab", "creationTimestamp": T0},
        "status": {"phase": phase},
    }


def obj(kind: str, name: str, status: dict[str, Any] | None = None, **top: Any) -> dict[str, Any]:
    metadata = {"name": name, "creationTimestamp": T0, **top.pop("metadata", {})}
    return {"kind": kind, "metadata": metadata, "status": status or {}, **top}


def cond(kind: str, status: str, reason: str = "", when: str = T0) -> dict[str, Any]:
    return {"type": kind, "status": status, "reason": reason, "lastTransitionTime": when}


def deployment(name: str = "web", available: int = 1, **spec: Any) -> dict[str, Any]:
    status = {
        "replicas": 1,
        "updatedReplicas": 1,
        "readyReplicas": available,
        "availableReplicas": available,
        "conditions": [cond("Available", "True")],
    }
    return obj(
        "Deployment",
        name,
        status,
        spec={"replicas": 1, "selector": {"matchLabels": {"app": name}}, **spec},
    )


def pod(
    name: str,
    app: str = "web",
    waiting: str = "",
    phase: str = "Running",
    last: str = "",
    reason: str = "",
    labels: dict[str, str] | None = None,
    **metadata: Any,
) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "c", "state": {"running": {}}}
    if waiting:
        container["state"] = {"waiting": {"reason": waiting}}
    if last:
        container["lastState"] = {"terminated": {"reason": last}}
    ready = "True" if not waiting and phase == "Running" else "False"
    labels = {"app": app, "pod-template-hash": "abc"} if app else dict(labels or {})
    return obj(
        "Pod",
        name,
        {
            "phase": phase,
            "reason": reason,
            "containerStatuses": [container],
            "conditions": [cond("Ready", ready)],
        },
        metadata={"labels": labels, **metadata},
    )
