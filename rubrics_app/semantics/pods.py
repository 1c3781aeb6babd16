"""Pod semantics: waiting reasons, OOMKilled, Unschedulable, Evicted, and which pods are noise."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, Literal

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, condition, created_at, false_since, health, name_of

PodRole = Literal["job", "build", "vm", "workload", "stray"]

UNSCHEDULABLE_WINDOW = timedelta(minutes=5)
_CRONJOB_RUN = re.compile(r"^(?P<cronjob>.+)-\d{6,}$")
_BUILD_RUN = re.compile(r"^(?P<config>.+)-\d+$")


def _failing_reason(reason: str) -> bool:
    return reason.startswith("Err") or reason.endswith(("Error", "BackOff"))


def _container_statuses(pod: KubeObject) -> Iterator[dict[str, Any]]:
    status = pod.get("status", {})
    yield from status.get("initContainerStatuses") or ()
    yield from status.get("containerStatuses") or ()


def _last_terminated_reason(container: dict[str, Any]) -> str:
    return str((container.get("lastState") or {}).get("terminated", {}).get("reason", ""))


def _container_failure(pod: KubeObject) -> ObjectHealth | None:
    for container in _container_statuses(pod):
        waiting = (container.get("state") or {}).get("waiting") or {}
        reason = str(waiting.get("reason", ""))
        if _failing_reason(reason):
            if _last_terminated_reason(container) == "OOMKilled":
                reason = "OOMKilled"
            return health(pod, Health.FAILED, reason, str(waiting.get("message", "")))
    return None


def _oom_restarts(pod: KubeObject) -> bool:
    return any(_last_terminated_reason(c) == "OOMKilled" for c in _container_statuses(pod))


def _failed_pod(pod: KubeObject) -> ObjectHealth:
    status = pod.get("status", {})
    reason = str(status.get("reason", ""))
    if not reason:
        for container in _container_statuses(pod):
            terminated = (container.get("state") or {}).get("terminated") or {}
            if terminated.get("exitCode", 0) != 0:
                reason = str(terminated.get("reason") or "Error")
                break
    return health(pod, Health.FAILED, reason or "PodFailed", str(status.get("message", "")))


def _unschedulable(pod: KubeObject, now: datetime) -> ObjectHealth | None:
    scheduled = condition(pod, "PodScheduled")
    if not scheduled or scheduled.get("reason") != "Unschedulable":
        return None
    since = false_since(scheduled, pod)  # when the scheduler first refused it
    past = since is not None and now - since > UNSCHEDULABLE_WINDOW
    status = Health.FAILED if past else Health.PROGRESSING
    return health(pod, status, "Unschedulable", str(scheduled.get("message", "")), since=since)


def pod_health(pod: KubeObject, now: datetime) -> ObjectHealth:
    """A pod's health. Succeeded pods are ready: a finished job or build is not a failure."""
    phase = pod.get("status", {}).get("phase", "")
    if phase == "Succeeded":
        return health(pod, Health.READY, "Completed")
    if phase == "Failed":
        return _failed_pod(pod)
    if failure := _container_failure(pod):
        return failure
    if pending := _unschedulable(pod, now):
        return pending
    ready = condition(pod, "Ready")
    if phase == "Running" and ready is not None and ready.get("status") == "True":
        if _oom_restarts(pod):
            return health(pod, Health.WARN, "OOMKilled", "restarted after running out of memory")
        return health(pod, Health.READY)
    return health(pod, Health.PROGRESSING, phase or "Pending", since=false_since(ready, pod))


def owner_kinds(pod: KubeObject) -> dict[str, str]:
    return {
        str(ref.get("kind")): str(ref.get("name"))
        for ref in pod.get("metadata", {}).get("ownerReferences") or ()
    }


def pod_role(pod: KubeObject) -> PodRole:
    owners = owner_kinds(pod)
    labels = pod.get("metadata", {}).get("labels") or {}
    if "Job" in owners:
        return "job"
    if "Build" in owners or "openshift.io/build.name" in labels:
        return "build"
    if "VirtualMachineInstance" in owners or "kubevirt.io/created-by" in labels:
        return "vm"
    if owners or "pod-template-hash" in labels or "controller-revision-hash" in labels:
        return "workload"
    return "stray"


def run_group(pod: KubeObject) -> str:
    """Pods of successive runs of one CronJob or BuildConfig share a group."""
    owners = owner_kinds(pod)
    if job := owners.get("Job"):
        match = _CRONJOB_RUN.match(job)
        return f"cronjob:{match['cronjob']}" if match else f"job:{job}"
    build = owners.get("Build") or name_of(pod).removesuffix("-build")
    match = _BUILD_RUN.match(build)
    return f"buildconfig:{match['config']}" if match else f"build:{build}"


def superseded_runs(pods: Iterable[KubeObject]) -> set[str]:
    """Names of failed job/build pods that a later successful run of the same thing replaced."""
    runs = [p for p in pods if pod_role(p) in ("job", "build")]
    latest_success: dict[str, datetime] = {}
    for pod in runs:
        when = created_at(pod)
        if pod.get("status", {}).get("phase") == "Succeeded" and when is not None:
            group = run_group(pod)
            if group not in latest_success or when > latest_success[group]:
                latest_success[group] = when
    superseded = set()
    for pod in runs:
        success = latest_success.get(run_group(pod))
        when = created_at(pod)
        if success is not None and when is not None and when < success:
            superseded.add(name_of(pod))
    return superseded


def current_runs(pods: Iterable[KubeObject]) -> list[KubeObject]:
    """The latest pod of each CronJob, Job or BuildConfig: older runs are history, not health."""
    latest: dict[str, tuple[tuple[float, str], KubeObject]] = {}
    for pod in pods:
        if pod_role(pod) not in ("job", "build"):
            continue
        when = created_at(pod)
        key = (when.timestamp() if when is not None else float("-inf"), name_of(pod))
        group = run_group(pod)
        if group not in latest or key > latest[group][0]:
            latest[group] = (key, pod)
    return [pod for _, pod in latest.values()]
