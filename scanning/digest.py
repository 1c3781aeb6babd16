"""Content hashes: evidence history grows with changes only; tier 2 spots changed pods."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from stargate.lib.evidence import KubeObject, NamespaceEvidence

_VOLATILE = ("collected_at", "cluster_health")


def evidence_hash(evidence: NamespaceEvidence) -> str:
    """A hash of the evidence content, ignoring when it was collected and exact timings."""
    stable: dict[str, Any] = {k: v for k, v in evidence.items() if k not in _VOLATILE}
    if probe := evidence.get("showroom"):
        # Response times move on every probe; only a slow answer (whole seconds) is a change.
        stable["showroom"] = {**probe, "response_ms": int((probe.get("response_ms") or 0) // 1000)}
    return hashlib.sha256(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS)).hexdigest()


def pod_signature(pod: KubeObject) -> tuple[Any, ...]:
    """What makes a pod healthy or not, without counters that move on every scan."""
    status = pod.get("status") or {}
    containers = [
        (
            c.get("name"),
            c.get("ready"),
            *sorted(
                (
                    (state, (detail or {}).get("reason"))
                    for state, detail in (c.get("state") or {}).items()
                ),
                key=str,
            ),
        )
        for c in (status.get("initContainerStatuses") or [])
        + (status.get("containerStatuses") or [])
    ]
    conditions = sorted(
        ((c.get("type"), c.get("status"), c.get("reason")) for c in status.get("conditions") or []),
        key=str,
    )
    name = (pod.get("metadata") or {}).get("name")
    return (name, status.get("phase"), status.get("reason"), containers, conditions)


def pods_digest(pods: list[KubeObject]) -> str:
    signatures = sorted(orjson.dumps(pod_signature(pod), default=str) for pod in pods)
    return hashlib.sha256(b"\n".join(signatures)).hexdigest()


def pod_failing(pod: KubeObject) -> bool:
    """A quick pre-rubric filter: is this pod visibly in trouble? (ordering only, not a verdict)"""
    status = pod.get("status") or {}
    if status.get("phase") in ("Failed", "Unknown") or status.get("reason") == "Evicted":
        return True
    for container in status.get("containerStatuses") or []:
        waiting = (container.get("state") or {}).get("waiting") or {}
        reason = str(waiting.get("reason") or "")
        if reason.startswith("Err") or reason.endswith(("Error", "BackOff")):
            return True
    return any(
        c.get("type") == "PodScheduled" and c.get("reason") == "Unschedulable"
        for c in status.get("conditions") or []
    )
