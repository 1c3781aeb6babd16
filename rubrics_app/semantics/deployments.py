"""Deployment and StatefulSet semantics, following kstatus (sigs.k8s.io/cli-utils)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, condition, false_since, health, parse_time


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
        # A new generation is a new spec: the object's creation says nothing of when it came.
        return health(deployment, Health.PROGRESSING, "GenerationNotObserved")
    if pending := _deployment_pending(deployment, spec, status):
        return pending
    return _deployment_conditions(deployment, progressing)


def _counts(status: dict[str, Any], *keys: str) -> dict[str, int]:
    return {key: int(status.get(key) or 0) for key in keys}


def _deployment_pending(
    deployment: KubeObject, spec: dict[str, Any], status: dict[str, Any]
) -> ObjectHealth | None:
    """kstatus's replica rules, in its order; the counts are the progress marker."""
    wanted = int(spec.get("replicas", 1))
    n = _counts(status, "replicas", "updatedReplicas", "readyReplicas", "availableReplicas")
    rollout = _rollout_since(deployment)
    if wanted > n["replicas"]:
        return _pending(
            deployment, "TooFewReplicas", f"{n['replicas']}/{wanted} replicas", n, rollout
        )
    if wanted > n["updatedReplicas"]:
        message = f"{n['updatedReplicas']}/{wanted} updated"
        return _pending(deployment, "RolloutInProgress", message, n, rollout)
    if n["replicas"] > wanted:
        message = f"{n['replicas'] - wanted} old replicas terminating"
        return _pending(deployment, "OldReplicasPending", message, n, rollout)
    if n["updatedReplicas"] > n["availableReplicas"] or wanted > n["readyReplicas"]:
        message = f"{n['availableReplicas']}/{wanted} available"
        since = false_since(condition(deployment, "Available"), deployment)
        return _pending(deployment, "ReplicasUnavailable", message, n, since)
    return None


def _deployment_conditions(
    deployment: KubeObject, progressing: dict[str, Any] | None
) -> ObjectHealth:
    """Counts complete, yet kstatus waits while Progressing or Available says False."""
    if progressing and progressing.get("status") == "False":
        reason = str(progressing.get("reason") or "NotProgressing")
        since = false_since(progressing, deployment)
        return health(
            deployment, Health.PROGRESSING, reason, str(progressing.get("message", "")), since
        )
    available = condition(deployment, "Available")
    if available and available.get("status") == "False":
        since = false_since(available, deployment)
        message = str(available.get("message", "")) or "the Deployment is not available"
        return health(deployment, Health.PROGRESSING, "DeploymentNotAvailable", message, since)
    return health(deployment, Health.READY)


def _rollout_since(deployment: KubeObject) -> datetime | None:
    """The controller's own record of a rollout's last progress: Progressing's lastUpdateTime
    while its reason is ReplicaSetUpdated (it moves only when progress is seen). Any other
    reason's times belong to an earlier rollout: None, and the engine times it from first sight."""
    progressing = condition(deployment, "Progressing")
    if progressing is None or progressing.get("reason") != "ReplicaSetUpdated":
        return None
    return parse_time(progressing.get("lastUpdateTime"))


def _pending(
    obj: KubeObject, reason: str, message: str, counts: dict[str, int], since: datetime | None
) -> ObjectHealth:
    marker = "/".join(str(value) for value in counts.values())
    return health(obj, Health.PROGRESSING, reason, message, since=since, marker=marker)


def statefulset_health(statefulset: KubeObject) -> ObjectHealth:
    """kstatus's StatefulSet rules (cli-utils pkg/kstatus/status/core.go `stsConditions`).

    StatefulSets carry no conditions, so every wait is timed from first sight at its counts.
    One deliberate difference: kstatus calls any OnDelete StatefulSet current; here it still
    needs its replicas ready (a lab with unready pods is not ready), only not its revisions.
    """
    spec, status = statefulset.get("spec", {}), statefulset.get("status", {})
    if not _generation_observed(statefulset):
        return health(statefulset, Health.PROGRESSING, "GenerationNotObserved")
    wanted = int(spec.get("replicas", 1))
    n = _counts(status, "replicas", "readyReplicas", "currentReplicas", "updatedReplicas")
    if wanted > n["replicas"]:
        return _pending(
            statefulset, "TooFewReplicas", f"{n['replicas']}/{wanted} replicas", n, None
        )
    if wanted > n["readyReplicas"]:
        message = f"{n['readyReplicas']}/{wanted} ready"
        return _pending(statefulset, "ReplicasUnavailable", message, n, None)
    if n["replicas"] > wanted:
        message = f"{n['replicas'] - wanted} extra replicas terminating"
        return _pending(statefulset, "ExtraReplicasPending", message, n, None)
    if rollout := _statefulset_rollout(spec, status, wanted, n):
        return _pending(statefulset, "RolloutInProgress", rollout, n, None)
    return health(statefulset, Health.READY)


def _statefulset_rollout(
    spec: dict[str, Any], status: dict[str, Any], wanted: int, n: dict[str, int]
) -> str:
    """What the rollout still waits for under the update strategy, or "" when it is done."""
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type") == "OnDelete":
        return ""  # pods update when someone deletes them: revisions may differ for good
    partition = (strategy.get("rollingUpdate") or {}).get("partition")
    if partition is not None:
        allowed = max(wanted - int(partition), 0)
        done = n["updatedReplicas"] >= allowed
        return "" if done else f"{n['updatedReplicas']}/{allowed} updated (partition {partition})"
    if wanted > n["currentReplicas"]:
        return f"{n['currentReplicas']}/{wanted} current"
    if status.get("currentRevision") != status.get("updateRevision"):
        return "pods are being updated to the new revision"
    return ""


def selector_matches(owner: KubeObject, pod: KubeObject) -> bool:
    """Pods roll up to the Deployment/StatefulSet whose matchLabels select them."""
    match = (owner.get("spec", {}).get("selector") or {}).get("matchLabels") or {}
    if not match:
        return False
    labels = pod.get("metadata", {}).get("labels") or {}
    return all(labels.get(key) == value for key, value in match.items())
