"""Deployment and StatefulSet semantics, following kstatus (sigs.k8s.io/cli-utils)."""

from __future__ import annotations

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, condition, condition_since, created_at, health


def _generation_observed(obj: KubeObject) -> bool:
    generation = obj.get("metadata", {}).get("generation")
    observed = obj.get("status", {}).get("observedGeneration")
    return generation is None or observed is None or observed >= generation


def deployment_health(deployment: KubeObject) -> ObjectHealth:
    spec, status = deployment.get("spec", {}), deployment.get("status", {})
    if spec.get("paused"):
        return health(deployment, Health.SUSPENDED, "Paused", "the rollout is paused")
    progressing = condition(deployment, "Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        message = str(progressing.get("message", "progress deadline exceeded"))
        return health(deployment, Health.FAILED, "ProgressDeadlineExceeded", message)
    if not _generation_observed(deployment):
        return health(
            deployment, Health.PROGRESSING, "GenerationNotObserved", since=created_at(deployment)
        )
    wanted = int(spec.get("replicas", 1))
    counts = {
        key: int(status.get(key) or 0)
        for key in ("updatedReplicas", "readyReplicas", "availableReplicas", "replicas")
    }
    available = condition(deployment, "Available")
    if counts["updatedReplicas"] < wanted:
        return _progressing(
            deployment,
            "RolloutInProgress",
            f"{counts['updatedReplicas']}/{wanted} updated",
            progressing,
        )
    if counts["replicas"] > counts["updatedReplicas"]:
        return _progressing(
            deployment, "OldReplicasPending", "old replicas are still running", progressing
        )
    if counts["availableReplicas"] < wanted or counts["readyReplicas"] < wanted:
        message = f"{counts['availableReplicas']}/{wanted} available"
        return _progressing(deployment, "ReplicasUnavailable", message, available)
    return health(deployment, Health.READY)


def _progressing(
    obj: KubeObject, reason: str, message: str, cond: dict[str, object] | None
) -> ObjectHealth:
    return health(obj, Health.PROGRESSING, reason, message, since=condition_since(cond, obj))


def statefulset_health(statefulset: KubeObject) -> ObjectHealth:
    spec, status = statefulset.get("spec", {}), statefulset.get("status", {})
    if not _generation_observed(statefulset):
        return health(
            statefulset, Health.PROGRESSING, "GenerationNotObserved", since=created_at(statefulset)
        )
    wanted = int(spec.get("replicas", 1))
    ready = int(status.get("readyReplicas") or 0)
    if ready < wanted:
        return _progressing(statefulset, "ReplicasUnavailable", f"{ready}/{wanted} ready", None)
    update, current = status.get("updateRevision"), status.get("currentRevision")
    if update and current and update != current:
        return _progressing(statefulset, "RolloutInProgress", "pods are being updated", None)
    return health(statefulset, Health.READY)


def selector_matches(owner: KubeObject, pod: KubeObject) -> bool:
    """Pods roll up to the Deployment/StatefulSet whose matchLabels select them."""
    match = (owner.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
    if not match:
        return False
    labels = pod.get("metadata", {}).get("labels") or {}
    return all(labels.get(key) == value for key, value in match.items())
