"""Cleanup detectors (spec 5), pure functions over Kubernetes objects as dicts: teardowns stuck
in a destroy state, orphaned PVs and PVCs, unhealthy operator pods in platform namespaces."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

DESTROY_STATES = frozenset({"destroying", "destroy-failed", "destroy-error"})
STUCK_AFTER = timedelta(hours=2)
OPERATOR_NAMESPACES = (
    "openshift-cnv",
    "openshift-virtualization",
    "openshift-storage",
    "openshift-operators",
)
RESTARTS_MAX = 5
LAB_PVC_PREFIXES = ("sandbox-", "showroom-")
QUANTITY = re.compile(r"^([0-9.]+)([A-Za-z]*)$")
UNITS = {
    "": Decimal(1),
    "Ki": Decimal(1024),
    "Mi": Decimal(1024) ** 2,
    "Gi": Decimal(1024) ** 3,
    "Ti": Decimal(1024) ** 4,
    "Pi": Decimal(1024) ** 5,
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
}


def _get(obj: Mapping[str, Any], path: str) -> Any:
    node: Any = obj
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def gib(quantity: str) -> float:
    """A Kubernetes quantity (`10Gi`, `500M`) in GiB; 0 when unreadable."""
    match = QUANTITY.match(quantity.strip()) if quantity else None
    if match is None or match.group(2) not in UNITS:
        return 0.0
    try:
        size = Decimal(match.group(1)) * UNITS[match.group(2)]
    except InvalidOperation:
        return 0.0
    return float(size / UNITS["Gi"])


def subject_state(subject: Mapping[str, Any]) -> str:
    return str(
        _get(subject, "spec.vars.current_state")
        or _get(subject, "status.state")
        or (_get(subject, "metadata.labels") or {}).get("state")
        or "unknown"
    )


AGE_FIELDS = (
    "status.lastTransitionTime",
    "status.towerJobs.destroy.startTimestamp",
    "status.actions.destroy.completeTimestamp",
    "metadata.deletionTimestamp",
    "metadata.creationTimestamp",
)


def stuck_teardowns(
    subjects: Iterable[Mapping[str, Any]],
    *,
    now: datetime,
    namespaces: Collection[str] | None = None,
    stuck_after: timedelta = STUCK_AFTER,
) -> list[dict[str, Any]]:
    found = []
    for subject in subjects:
        state = subject_state(subject)
        if state not in DESTROY_STATES:
            continue
        since = next((t for f in AGE_FIELDS if (t := _time(_get(subject, f)))), None)
        if since is None or now - since < stuck_after:
            continue
        namespace = _get(subject, "spec.vars.job_vars.sandbox_openshift_namespace") or ""
        found.append(
            {
                "anarchy_subject": _get(subject, "metadata.name"),
                "namespace": namespace,
                "state": state,
                "age_hours": round((now - since).total_seconds() / 3600, 1),
                "cluster": _get(subject, "spec.vars.job_vars.sandbox_openshift_cluster") or "",
                "namespace_exists": None if namespaces is None else namespace in namespaces,
            }
        )
    return found


def orphaned_pvs(
    volumes: Iterable[Mapping[str, Any]], namespaces: Collection[str]
) -> list[dict[str, Any]]:
    found = []
    for pv in volumes:
        claim_ns = _get(pv, "spec.claimRef.namespace")
        phase = _get(pv, "status.phase")
        if claim_ns and claim_ns not in namespaces and phase in ("Bound", "Released"):
            found.append(
                {
                    "pv_name": _get(pv, "metadata.name"),
                    "bound_to_namespace": claim_ns,
                    "bound_to_pvc": _get(pv, "spec.claimRef.name"),
                    "status": phase,
                    "capacity": _get(pv, "spec.capacity.storage") or "",
                    "storage_class": _get(pv, "spec.storageClassName") or "",
                }
            )
    return found


def orphaned_pvcs(
    claims: Iterable[Mapping[str, Any]], volume_names: Collection[str]
) -> list[dict[str, Any]]:
    found = []
    for pvc in claims:
        namespace = str(_get(pvc, "metadata.namespace") or "")
        if not namespace.startswith(LAB_PVC_PREFIXES):
            continue
        phase, volume = _get(pvc, "status.phase"), _get(pvc, "spec.volumeName")
        if phase == "Lost" or (volume and volume not in volume_names):
            found.append(
                {
                    "namespace": namespace,
                    "pvc_name": _get(pvc, "metadata.name"),
                    "phase": phase,
                    "volume_name": volume,
                }
            )
    return found


def platform_namespace(namespace: str) -> bool:
    return namespace in OPERATOR_NAMESPACES or namespace.startswith("babylon-anarchy")


def unhealthy_operator_pods(pods: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for pod in pods:
        namespace = str(_get(pod, "metadata.namespace") or "")
        if not platform_namespace(namespace):
            continue
        issue, restarts = _pod_issue(pod)
        if issue:
            found.append(
                {
                    "namespace": namespace,
                    "pod": _get(pod, "metadata.name"),
                    "issue": issue,
                    "restarts": restarts,
                }
            )
    return found


def _pod_issue(pod: Mapping[str, Any]) -> tuple[str, int]:
    statuses = _get(pod, "status.containerStatuses") or []
    restarts = sum(int(s.get("restartCount") or 0) for s in statuses)
    for status in statuses:
        reason = _get(status, "state.waiting.reason")
        if reason in ("CrashLoopBackOff", "ImagePullBackOff"):
            return reason, restarts
    running = _get(pod, "status.phase") == "Running"
    if running and any(not s.get("ready") for s in statuses):
        return "NotReady", restarts
    if restarts >= RESTARTS_MAX:
        return "Restarts", restarts
    return "", restarts


@dataclass
class CleanupReport:
    cluster: str
    stuck_teardowns: list[dict[str, Any]] = field(default_factory=list)
    orphaned_pvs: list[dict[str, Any]] = field(default_factory=list)
    orphaned_pvcs: list[dict[str, Any]] = field(default_factory=list)
    operator_pods: list[dict[str, Any]] = field(default_factory=list)

    @property
    def orphaned_capacity_gi(self) -> float:
        return round(sum(gib(str(pv["capacity"])) for pv in self.orphaned_pvs), 2)

    def facts(self) -> dict[str, object]:
        return {
            "stuck_teardowns": len(self.stuck_teardowns),
            "orphaned_pvs": len(self.orphaned_pvs),
            "orphaned_pvcs": len(self.orphaned_pvcs),
            "orphaned_capacity_gi": self.orphaned_capacity_gi,
            "unhealthy_operator_pods": len(self.operator_pods),
        }

    def evidence(self) -> dict[str, Any]:
        return {
            "stuck_teardowns": self.stuck_teardowns[:10],
            "orphaned_pvs": self.orphaned_pvs[:10],
            "orphaned_pvcs": self.orphaned_pvcs[:10],
            "orphaned_capacity_gi": self.orphaned_capacity_gi,
            "operator_pods": self.operator_pods[:10],
        }


def cleanup_report(
    *,
    cluster: str,
    now: datetime,
    subjects: Iterable[Mapping[str, Any]] = (),
    namespaces: Collection[str] = (),
    volumes: Iterable[Mapping[str, Any]] = (),
    claims: Iterable[Mapping[str, Any]] = (),
    pods: Iterable[Mapping[str, Any]] = (),
) -> CleanupReport:
    volumes = list(volumes)
    names = {str(_get(v, "metadata.name")) for v in volumes}
    return CleanupReport(
        cluster=cluster,
        stuck_teardowns=stuck_teardowns(subjects, now=now, namespaces=namespaces),
        orphaned_pvs=orphaned_pvs(volumes, namespaces),
        orphaned_pvcs=orphaned_pvcs(claims, names),
        operator_pods=unhealthy_operator_pods(pods),
    )
