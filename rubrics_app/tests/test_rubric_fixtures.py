"""Each platform rubric: objects in, outcome and failure class out (as Argo CD health tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from rubrics_app.engine import evaluate
from rubrics_app.outcomes import PreviousState

from .builders import T0, cond, deployment, evidence, ns, obj, pod
from .test_loader import PLATFORM_RUBRICS

START = datetime.fromisoformat(T0)
SOON, LATER = START + timedelta(minutes=3), START + timedelta(hours=3)


def _cluster(**changes):
    base = {
        "reachable": True,
        "nodes_total": 3,
        "nodes_ready": 3,
        "nodes_with_pressure": [],
        "cpu_used_pct": 40.0,
        "memory_used_pct": 50.0,
        "critical_alerts": [],
    }
    return {**base, **changes}


_DOWN = _cluster(nodes_ready=2, nodes_not_ready=["worker-3"])


def _on(node, obj_):
    return {**obj_, "spec": {**obj_.get("spec", {}), "nodeName": node}}


def _vmi_on(node):
    vmi = _vmi("Running")
    return {**vmi, "status": {**vmi["status"], "nodeName": node}}


def _anarchy(state):
    return obj("AnarchySubject", "sub", spec={"vars": {"current_state": state}})


def _pvc(phase):
    return obj("PersistentVolumeClaim", "disk", {"phase": phase})


def _dv(phase, progress="40%"):
    return obj(
        "DataVolume",
        "disk",
        {"phase": phase, "progress": progress, "conditions": [cond("Ready", "False", phase)]},
    )


def _route(admitted):
    status = {"ingress": [{"conditions": [cond("Admitted", admitted)]}]} if admitted else {}
    return obj("Route", "web", status, spec={"to": {"kind": "Service", "name": "web"}})


def _service():
    return obj("Service", "web", spec={"selector": {"app": "web"}})


def _endpoints(ready):
    key = "addresses" if ready else "notReadyAddresses"
    return obj("Endpoints", "web", subsets=[{key: [{"ip": "10.0.0.1"}]}])


def _vm(printable, ready="True"):
    return obj(
        "VirtualMachine", "vm", {"printableStatus": printable, "conditions": [cond("Ready", ready)]}
    )


def _vmi(phase, agent=True):
    conditions = [cond("Ready", "True" if phase == "Running" else "False")]
    if agent:
        conditions.append(cond("AgentConnected", "True"))
    return obj("VirtualMachineInstance", "vm", {"phase": phase, "conditions": conditions})


def _launcher(waiting):
    labels = {"kubevirt.io/created-by": "uid", "vm.kubevirt.io/name": "vm"}
    return pod("virt-launcher-vm-x", app="", waiting=waiting, phase="Pending", labels=labels)


def _smoke(phase):
    return pod("smoke-test-1", app="", phase=phase, labels={"stargate.io/smoke-test": "1"})


def _probe(status, failures=0, content=True, ms=300.0):
    return {
        "url": "https://showroom",
        "readyz_status": status,
        "content_ok": content,
        "response_ms": ms,
        "consecutive_failures": failures,
    }


def _isvc(ready, reason=""):
    return obj(
        "InferenceService",
        "model",
        {"conditions": [cond("Ready", ready, reason), cond("PredictorReady", ready, reason)]},
    )


ROUTED = {"services": [_service()]}

# (rubric, case, evidence kwargs, now, outcome, failure class)
CASES = [
    ("cluster-health", "healthy", {"cluster_health": _cluster()}, SOON, "ready", ""),
    (
        "cluster-health",
        "node down",
        {"cluster_health": _cluster(nodes_ready=1)},
        SOON,
        "failed",
        "cluster-nodes-not-ready",
    ),
    (
        "cluster-health",
        "alerts",
        {"cluster_health": _cluster(critical_alerts=["etcd"])},
        SOON,
        "warn",
        "cluster-critical-alerts",
    ),
    (
        "cluster-health",
        "busy",
        {"cluster_health": _cluster(cpu_used_pct=95.0)},
        SOON,
        "warn",
        "cluster-capacity-high",
    ),
    ("run-created", "namespace there", {}, SOON, "ready", ""),
    (
        "run-created",
        "namespace gone",
        {"namespace_object": None},
        SOON,
        "failed",
        "namespace-missing",
    ),
    (
        "provision-complete",
        "started",
        {"anarchysubjects": [_anarchy("started")]},
        SOON,
        "ready",
        "",
    ),
    (
        "provision-complete",
        "provisioning",
        {"anarchysubjects": [_anarchy("provisioning")]},
        SOON,
        "progressing",
        "",
    ),
    (
        "provision-complete",
        "too long",
        {"anarchysubjects": [_anarchy("provisioning")]},
        LATER,
        "failed",
        "provision-timeout",
    ),
    (
        "provision-complete",
        "provision failed",
        {"anarchysubjects": [_anarchy("provision-failed")]},
        SOON,
        "failed",
        "provision-failed",
    ),
    (
        "provision-complete",
        "destroy failed",
        {"anarchysubjects": [_anarchy("destroy-failed")]},
        SOON,
        "failed",
        "destroy-failed",
    ),
    ("namespace-ready", "active", {}, SOON, "ready", ""),
    (
        "namespace-ready",
        "terminating",
        {"namespace_object": ns("Terminating")},
        LATER,
        "failed",
        "namespace-terminating",
    ),
    (
        "namespace-ready",
        "stray pod pulling",
        {"pods": [pod("dbg", app="", waiting="ErrImagePull")]},
        SOON,
        "warn",
        "image-pull-failed",
    ),
    (
        "deployment-ready",
        "available",
        {"deployments": [deployment()], "pods": [pod("web-1")]},
        SOON,
        "ready",
        "",
    ),
    (
        "deployment-ready",
        "crashloop",
        {
            "deployments": [deployment(available=0)],
            "pods": [pod("web-1", waiting="CrashLoopBackOff")],
        },
        SOON,
        "failed",
        "crashloop",
    ),
    (
        "deployment-ready",
        "oom",
        {
            "deployments": [deployment(available=0)],
            "pods": [pod("web-1", waiting="CrashLoopBackOff", last="OOMKilled")],
        },
        SOON,
        "failed",
        "oom-killed",
    ),
    (
        "deployment-ready",
        "bad image",
        {
            "deployments": [deployment(available=0)],
            "pods": [pod("web-1", waiting="ImagePullBackOff")],
        },
        SOON,
        "failed",
        "image-pull-failed",
    ),
    (
        "deployment-ready",
        "starting",
        {
            "deployments": [deployment(available=0)],
            "pods": [pod("web-1", waiting="ContainerCreating")],
        },
        SOON,
        "progressing",
        "",
    ),
    (
        "deployment-ready",
        "never started",
        {
            "deployments": [deployment(available=0)],
            "pods": [pod("web-1", waiting="ContainerCreating")],
        },
        LATER,
        "failed",
        "deployment-not-ready",
    ),
    (
        "deployment-ready",
        "paused",
        {"deployments": [deployment(paused=True)]},
        SOON,
        "warn",
        "rollout-paused",
    ),
    (
        "storage-clone-ready",
        "done",
        {"datavolumes": [_dv("Succeeded")], "persistentvolumeclaims": [_pvc("Bound")]},
        SOON,
        "ready",
        "",
    ),
    (
        "storage-clone-ready",
        "importing",
        {"datavolumes": [_dv("ImportInProgress")]},
        SOON,
        "progressing",
        "",
    ),
    (
        "storage-clone-ready",
        "stalled",
        {"datavolumes": [_dv("ImportInProgress")]},
        LATER,
        "failed",
        "storage-clone-stalled",
    ),
    (
        "storage-clone-ready",
        "import failed",
        {"datavolumes": [_dv("Failed")]},
        SOON,
        "failed",
        "datavolume-failed",
    ),
    (
        "storage-clone-ready",
        "lost",
        {"persistentvolumeclaims": [_pvc("Lost")]},
        SOON,
        "failed",
        "pvc-lost",
    ),
    (
        "route-ready",
        "admitted",
        {"routes": [_route("True")], "endpoints": [_endpoints(True)], **ROUTED},
        SOON,
        "ready",
        "",
    ),
    (
        "route-ready",
        "rejected",
        {"routes": [_route("False")], "endpoints": [_endpoints(True)], **ROUTED},
        SOON,
        "failed",
        "route-rejected",
    ),
    (
        "route-ready",
        "not admitted in time",
        {"routes": [_route("")], "endpoints": [_endpoints(True)], **ROUTED},
        LATER,
        "failed",
        "route-not-admitted",
    ),
    (
        "route-ready",
        "no endpoints yet",
        {"routes": [_route("True")], "endpoints": [_endpoints(False)], **ROUTED},
        SOON,
        "progressing",
        "",
    ),
    (
        "vm-runtime-ready",
        "running",
        {"virtualmachines": [_vm("Running")], "virtualmachineinstances": [_vmi("Running")]},
        SOON,
        "ready",
        "",
    ),
    (
        "vm-runtime-ready",
        "booting",
        {
            "virtualmachines": [_vm("Starting", "False")],
            "virtualmachineinstances": [_vmi("Scheduling")],
        },
        SOON,
        "progressing",
        "",
    ),
    (
        "vm-runtime-ready",
        "boot timeout",
        {
            "virtualmachines": [_vm("Starting", "False")],
            "virtualmachineinstances": [_vmi("Scheduling")],
        },
        LATER,
        "failed",
        "vm-boot-timeout",
    ),
    (
        "vm-runtime-ready",
        "crashloop",
        {"virtualmachines": [_vm("CrashLoopBackOff", "False")]},
        SOON,
        "failed",
        "vm-crashloop",
    ),
    (
        "vm-runtime-ready",
        "no agent",
        {
            "virtualmachines": [_vm("Running")],
            "virtualmachineinstances": [_vmi("Running", agent=False)],
        },
        LATER,
        "warn",
        "guest-agent-missing",
    ),
    (
        "vm-runtime-ready",
        "vmi failed",
        {"virtualmachines": [_vm("Running")], "virtualmachineinstances": [_vmi("Failed")]},
        SOON,
        "failed",
        "vmi-failed",
    ),
    ("smoke-test-ready", "passed", {"pods": [_smoke("Succeeded")]}, SOON, "ready", ""),
    ("smoke-test-ready", "running", {"pods": [_smoke("Running")]}, SOON, "ready", ""),
    (
        "smoke-test-ready",
        "failed",
        {"pods": [_smoke("Failed")]},
        SOON,
        "failed",
        "smoke-test-failed",
    ),
    ("showroom-healthy", "up", {"showroom": _probe(200)}, SOON, "ready", ""),
    (
        "showroom-healthy",
        "one blip",
        {"showroom": _probe(503, failures=1)},
        SOON,
        "warn",
        "showroom-down",
    ),
    (
        "showroom-healthy",
        "down",
        {"showroom": _probe(None, failures=3)},
        SOON,
        "failed",
        "showroom-down",
    ),
    (
        "showroom-healthy",
        "no content",
        {"showroom": _probe(200, failures=4, content=False)},
        SOON,
        "failed",
        "showroom-content-missing",
    ),
    (
        "showroom-healthy",
        "slow",
        {"showroom": _probe(200, ms=9000.0)},
        SOON,
        "warn",
        "showroom-slow",
    ),
    ("model-endpoint-ready", "ready", {"inferenceservices": [_isvc("True")]}, SOON, "ready", ""),
    (
        "model-endpoint-ready",
        "loading",
        {"inferenceservices": [_isvc("False")]},
        SOON,
        "progressing",
        "",
    ),
    (
        "model-endpoint-ready",
        "never ready",
        {"inferenceservices": [_isvc("False")]},
        LATER,
        "failed",
        "model-not-ready",
    ),
    (
        "model-endpoint-ready",
        "revision failed",
        {"inferenceservices": [_isvc("False", "RevisionFailed")]},
        SOON,
        "failed",
        "model-load-failed",
    ),
    (
        "storage-clone-ready",
        "paused",
        {"datavolumes": [_dv("Paused")]},
        SOON,
        "warn",
        "datavolume-paused",
    ),
    (
        "vm-runtime-ready",
        "stopped",
        {"virtualmachines": [_vm("Stopped", "False")]},
        SOON,
        "warn",
        "vm-stopped",
    ),
    (
        "provision-complete",
        "stopped",
        {"anarchysubjects": [_anarchy("stopped")]},
        SOON,
        "warn",
        "lab-stopped",
    ),
    (
        "vm-runtime-ready",
        "launcher pod cannot pull",
        {"virtualmachines": [_vm("Starting", "False")], "pods": [_launcher("ErrImagePull")]},
        SOON,
        "failed",
        "vm-image-pull-failed",
    ),
    (
        "cluster-health",
        "one node down",
        {"cluster_health": _cluster(nodes_ready=2)},
        SOON,
        "warn",
        "cluster-nodes-not-ready",
    ),
    (
        "cluster-health",
        "one node down, the lab on others",
        {"cluster_health": _DOWN, "pods": [_on("worker-1", pod("web-1"))]},
        SOON,
        "ready",
        "",
    ),
    (
        "cluster-health",
        "one node down, a pod of the lab on it",
        {"cluster_health": _DOWN, "pods": [_on("worker-3", pod("web-1"))]},
        SOON,
        "warn",
        "cluster-nodes-not-ready",
    ),
    (
        "cluster-health",
        "one node down, a VM of the lab on it",
        {"cluster_health": _DOWN, "virtualmachineinstances": [_vmi_on("worker-3")]},
        SOON,
        "warn",
        "cluster-nodes-not-ready",
    ),
    (
        "cluster-health",
        "two nodes down of three, the lab on others",
        {
            "cluster_health": _cluster(nodes_ready=1, nodes_not_ready=["worker-2", "worker-3"]),
            "pods": [_on("worker-1", pod("web-1"))],
        },
        SOON,
        "failed",
        "cluster-nodes-not-ready",
    ),
    (
        "cluster-health",
        "memory pressure on another node",
        {
            "cluster_health": _cluster(nodes_with_pressure=["worker-2"]),
            "pods": [_on("worker-1", pod("web-1"))],
        },
        SOON,
        "ready",
        "",
    ),
    (
        "cluster-health",
        "memory pressure on the lab's node",
        {
            "cluster_health": _cluster(nodes_with_pressure=["worker-1"]),
            "pods": [_on("worker-1", pod("web-1"))],
        },
        SOON,
        "warn",
        "cluster-degraded",
    ),
]


@pytest.mark.parametrize(
    ("rubric_id", "kinds", "now", "outcome", "failure_class"),
    [(c[0], c[2], c[3], c[4], c[5]) for c in CASES],
    ids=[f"{c[0]}: {c[1]}" for c in CASES],
)
def test_it_gives_each_rubric_its_outcome_and_class(
    rubric_set, rubric_id, kinds, now, outcome, failure_class
):
    # The engine has watched the lab since START: a stall is timed from its first sight.
    first = evaluate(evidence(**kinds), rubric_set, START)
    remembered = PreviousState(first.seen)
    result = evaluate(evidence(**kinds), rubric_set, now, remembered).rubric(rubric_id)
    assert (result.outcome.value, result.failure_class) == (outcome, failure_class)


def test_it_has_a_ready_and_a_not_ready_case_for_every_rubric():
    for rubric_id in PLATFORM_RUBRICS:
        outcomes = {c[4] for c in CASES if c[0] == rubric_id}
        assert "ready" in outcomes and len(outcomes) > 1, rubric_id
