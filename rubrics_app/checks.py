"""The registry of checks a criterion can name: each returns its objects' healths.

A check returns None when the evidence it needs was not collected (the criterion is UNKNOWN).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from stargate.lib.evidence import KubeObject, SmokeResult

from .definitions import CheckName, Criterion
from .facts import Facts
from .semantics.anarchy import anarchy_health
from .semantics.common import Health, ObjectHealth, created_at, name_of, parse_time
from .semantics.datavolumes import datavolume_health
from .semantics.deployments import deployment_health, statefulset_health
from .semantics.inferenceservices import inferenceservice_health
from .semantics.nodes import cluster_alerts_health, cluster_capacity_health, cluster_nodes_health
from .semantics.pods import current_runs, run_group
from .semantics.pvcs import claims_in_use, pvc_health
from .semantics.routes import route_health, route_service
from .semantics.services import service_health
from .semantics.showroom import showroom_health
from .semantics.vms import guest_agent_health, vm_health, vmi_health

Healths = list[ObjectHealth] | None
Check = Callable[[Facts, Criterion], Healths]
DEFAULT_CAPACITY_PCT = 90.0


def _each(kind: str, semantics: Callable[[KubeObject], ObjectHealth]) -> Check:
    def check(facts: Facts, criterion: Criterion) -> Healths:
        if not facts.collected(kind):
            return None
        return [semantics(obj) for obj in facts.items(kind)]

    return check


def namespace_exists(facts: Facts, criterion: Criterion) -> Healths:
    if "namespace_object" not in facts.evidence:
        return None
    namespace = facts.evidence.get("namespace_object")
    name = facts.evidence.get("namespace", "")
    if namespace is None:
        return [
            ObjectHealth("Namespace", name, Health.FAILED, "NamespaceMissing", "namespace gone")
        ]
    return [ObjectHealth("Namespace", name, Health.READY)]


def namespace_active(facts: Facts, criterion: Criterion) -> Healths:
    namespace = facts.evidence.get("namespace_object")
    if namespace is None:
        return None
    phase = namespace.get("status", {}).get("phase", "Active")
    status = Health.READY if phase == "Active" else Health.PROGRESSING
    since = None if status == Health.READY else _deletion(namespace)
    return [ObjectHealth("Namespace", name_of(namespace), status, phase, since=since)]


def _deletion(namespace: KubeObject) -> datetime | None:
    return parse_time(namespace.get("metadata", {}).get("deletionTimestamp")) or created_at(
        namespace
    )


def _cluster(facts: Facts, criterion: Criterion) -> Healths:
    cluster = facts.evidence.get("cluster_health")
    if not cluster:
        return None
    name = facts.evidence.get("cluster", "")
    if criterion.check == "cluster_nodes":
        return [cluster_nodes_health(cluster, name, facts.workload_nodes)]
    if criterion.check == "cluster_alerts":
        return [cluster_alerts_health(cluster, name)]
    limit = criterion.threshold_pct or DEFAULT_CAPACITY_PCT
    return [cluster_capacity_health(cluster, name, limit)]


def _rolled_up(
    facts: Facts, owner: KubeObject, verdict: ObjectHealth, pods: list[KubeObject] | None = None
) -> ObjectHealth:
    """A failing pod fails its owner now, and names the owner's class (crashloop, OOMKilled…)."""
    if verdict.status == Health.FAILED:
        return verdict
    owned = facts.owned_pods(owner) if pods is None else pods
    pods_health = [_owned_pod_health(facts, pod, verdict) for pod in owned]
    for level in (Health.FAILED, Health.WARN):
        if worst := next((p for p in pods_health if p.status == level), None):
            message = f"pod {worst.name}: {worst.message or worst.reason}"
            return verdict._replace(status=level, reason=worst.reason, message=message)
    return verdict


def _owned_pod_health(facts: Facts, pod: KubeObject, owner: ObjectHealth) -> ObjectHealth:
    """An evicted or failed pod left behind by an owner that already replaced it only warns."""
    verdict = facts.pod_healths[name_of(pod)]
    terminal = pod.get("status", {}).get("phase") == "Failed"
    if terminal and verdict.status == Health.FAILED and owner.status == Health.READY:
        return verdict._replace(status=Health.WARN)
    return verdict


def deployments(facts: Facts, criterion: Criterion) -> Healths:
    if not facts.collected("deployments"):
        return None
    return [_rolled_up(facts, d, deployment_health(d)) for d in facts.items("deployments")]


def statefulsets(facts: Facts, criterion: Criterion) -> Healths:
    if not facts.collected("statefulsets"):
        return None
    return [_rolled_up(facts, s, statefulset_health(s)) for s in facts.items("statefulsets")]


def _pods(facts: Facts, pods: list[KubeObject]) -> Healths:
    if not facts.collected("pods"):
        return None
    return [facts.pod_healths[name_of(pod)] for pod in pods]


def workload_pods(facts: Facts, criterion: Criterion) -> Healths:
    return _pods(facts, facts.unclaimed_workload_pods)


def stray_pods(facts: Facts, criterion: Criterion) -> Healths:
    return _pods(facts, facts.pods_by_role.get("stray", []))


RUN_KINDS = {"cronjob": "CronJob", "job": "Job", "buildconfig": "BuildConfig", "build": "Build"}


def job_runs(facts: Facts, criterion: Criterion) -> Healths:
    """The latest run per CronJob/BuildConfig, named after it so fingerprints survive reruns."""
    runs = current_runs(facts.items("pods"))
    healths = _pods(facts, runs)
    if healths is None:
        return None
    named = []
    for pod, verdict in zip(runs, healths, strict=True):
        kind, _, name = run_group(pod).partition(":")
        message = f"latest run {name_of(pod)}: {verdict.message or verdict.reason}"
        named.append(verdict._replace(kind=RUN_KINDS[kind], name=name, message=message))
    return named


def smoke_tests(facts: Facts, criterion: Criterion) -> Healths:
    """The latest smoke-test pod, and the newest external run (Demolition) when there is one."""
    latest = sorted(facts.smoke_test_pods, key=lambda p: (str(created_at(p)), name_of(p)))[-1:]
    healths = _pods(facts, latest) if latest or not facts.evidence.get("smoke_results") else []
    if healths and healths[0].status == Health.FAILED:
        healths = [healths[0]._replace(reason="SmokeTestFailed")]
    external = facts.evidence.get("smoke_results") or []
    if external:
        healths = [*(healths or []), external_smoke_health(external[0])]
    return healths


def external_smoke_health(result: SmokeResult) -> ObjectHealth:
    name = f"{result.get('source', 'external')}/{result.get('session', '')}"
    passed = result.get("passed")
    if passed is None:
        return ObjectHealth("SmokeTest", name, Health.PROGRESSING, "NoRunYet", "no run yet")
    if passed:
        return ObjectHealth("SmokeTest", name, Health.READY)
    failed, total = (
        result.get("steps_failed", 0),
        result.get("steps_failed", 0) + result.get("steps_passed", 0),
    )
    message = result.get("error_summary") or f"{failed} of {total} steps failed"
    return ObjectHealth("SmokeTest", name, Health.FAILED, "SmokeTestFailed", message)


def vms(facts: Facts, criterion: Criterion) -> Healths:
    if not facts.collected("virtualmachines"):
        return None
    launchers = facts.launcher_pods
    disks = {name_of(dv): datavolume_health(dv) for dv in facts.items("datavolumes")}
    return [
        _with_disks(vm, _rolled_up(facts, vm, vm_health(vm), launchers.get(name_of(vm), [])), disks)
        for vm in facts.items("virtualmachines")
    ]


def _with_disks(
    vm: KubeObject, verdict: ObjectHealth, disks: dict[str, ObjectHealth]
) -> ObjectHealth:
    """A VM waiting on its disks progresses while they do: their progress joins its marker."""
    if verdict.status != Health.PROGRESSING:
        return verdict
    templates = vm.get("spec", {}).get("dataVolumeTemplates") or ()
    names = [str((t.get("metadata") or {}).get("name", "")) for t in templates]
    progress = [disks[name].marker for name in names if name in disks]
    return verdict._replace(marker=" ".join([verdict.marker, *progress])) if progress else verdict


def pvcs(facts: Facts, criterion: Criterion) -> Healths:
    if not facts.collected("persistentvolumeclaims"):
        return None
    events = facts.items("events")
    in_use = claims_in_use(facts.items("pods"))
    return [
        pvc_health(pvc, events, name_of(pvc) in in_use)
        for pvc in facts.items("persistentvolumeclaims")
    ]


def _endpoints(facts: Facts) -> dict[str, KubeObject]:
    return {name_of(e): e for e in facts.items("endpoints")}


def _services(facts: Facts, routed: bool) -> Healths:
    if not facts.collected("services") or not facts.collected("endpoints"):
        return None
    targets = {route_service(route) for route in facts.items("routes")}
    endpoints = _endpoints(facts)
    return [
        service_health(service, endpoints.get(name_of(service)))
        for service in facts.items("services")
        if (name_of(service) in targets) == routed
    ]


def routed_services(facts: Facts, criterion: Criterion) -> Healths:
    return _services(facts, routed=True)


def other_services(facts: Facts, criterion: Criterion) -> Healths:
    return _services(facts, routed=False)


def guest_agent(facts: Facts, criterion: Criterion) -> Healths:
    if not facts.collected("virtualmachineinstances"):
        return None
    running = [
        vmi
        for vmi in facts.items("virtualmachineinstances")
        if vmi_health(vmi).status == Health.READY
    ]
    return [guest_agent_health(vmi) for vmi in running]


def showroom_probe(facts: Facts, criterion: Criterion) -> Healths:
    probe = facts.evidence.get("showroom")
    return None if probe is None else [showroom_health(probe)]


CHECKS: dict[CheckName, Check] = {
    "namespace_exists": namespace_exists,
    "namespace_active": namespace_active,
    "cluster_nodes": _cluster,
    "cluster_capacity": _cluster,
    "cluster_alerts": _cluster,
    "anarchy_state": _each("anarchysubjects", anarchy_health),
    "deployments": deployments,
    "statefulsets": statefulsets,
    "workload_pods": workload_pods,
    "stray_pods": stray_pods,
    "job_runs": job_runs,
    "datavolumes": _each("datavolumes", datavolume_health),
    "pvcs": pvcs,
    "routes": _each("routes", route_health),
    "routed_services": routed_services,
    "other_services": other_services,
    "vms": vms,
    "vmis": _each("virtualmachineinstances", vmi_health),
    "guest_agent": guest_agent,
    "smoke_tests": smoke_tests,
    "showroom_probe": showroom_probe,
    "inferenceservices": _each("inferenceservices", inferenceservice_health),
}
