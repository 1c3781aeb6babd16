"""Every failure the rubrics know, as a change to a healthy generated lab.

Each lab failure takes a `Lab` and breaks it the way a real cluster shows that failure: pod and
container states, conditions, warning events, statuses. Node failures live in `platform`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.context import Obj
from simulator.controllers import STICKY_FAILURE
from simulator.lab import Lab
from simulator.platform import NODE_FAILURES, tower_job

ALL = ("app", "vm", "model")
LabFailure = Callable[[Lab], None]


def _waiting(
    pod: Obj, reason: str, message: str, restarts: int = 0, last: dict[str, Any] | None = None
) -> None:
    status = pod["status"]
    for cond in status["conditions"]:
        if cond["type"] in ("Ready", "ContainersReady"):
            cond.update(status="False", reason="ContainersNotReady")
    for cs in status["containerStatuses"]:
        cs.update(
            ready=False,
            started=False,
            restartCount=restarts,
            state={"waiting": {"reason": reason, "message": message}},
        )
        if last:
            cs["lastState"] = {"terminated": last}


def _unready(lab: Lab, pod: Obj, minutes: float) -> None:
    """Running, but failing its readiness probe."""
    _waiting(pod, "", "")
    for cs in pod["status"]["containerStatuses"]:
        cs.update(started=True, state={"running": {"startedAt": lab.ctx.ago(minutes)}})
    lab.warn(pod, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503")


def _unavailable(dep: Obj, rs: Obj) -> None:
    dep["status"]["unavailableReplicas"] = dep["spec"]["replicas"]
    dep["status"].pop("readyReplicas", None)
    dep["status"].pop("availableReplicas", None)
    dep["status"]["conditions"][0].update(
        status="False",
        reason="MinimumReplicasUnavailable",
        message="Deployment does not have minimum availability.",
    )
    rs["status"].pop("readyReplicas", None)
    rs["status"].pop("availableReplicas", None)


def crashloop(lab: Lab) -> None:
    for p in lab.app_pods:
        _waiting(
            p,
            "CrashLoopBackOff",
            "back-off 5m0s restarting failed container",
            14,
            {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": lab.ctx.ago(6),
                "finishedAt": lab.ctx.ago(6),
            },
        )
        lab.warn(p, "BackOff", "Back-off restarting failed container", 63)
    _unavailable(lab.app[0], lab.app[1])


def _sticky(dep: Obj, note: str) -> None:
    dep["metadata"].setdefault("annotations", {})[STICKY_FAILURE] = note


def imagepull(lab: Lab) -> None:
    image = lab.app[0]["spec"]["template"]["spec"]["containers"][0]["image"]
    _sticky(lab.app[0], f"imagepull {image}")
    for p in lab.app_pods:
        p["status"]["phase"] = "Pending"
        p["status"].pop("podIP", None)
        _waiting(p, "ImagePullBackOff", f'Back-off pulling image "{image}"')
        lab.warn(p, "Failed", f'Failed to pull image "{image}": manifest unknown', 24)
    _unavailable(lab.app[0], lab.app[1])


def oomkilled(lab: Lab) -> None:
    limits = lab.app[0]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]
    _sticky(lab.app[0], f"oomkilled {limits['memory']}")
    for p in lab.app_pods:
        _waiting(
            p,
            "CrashLoopBackOff",
            "back-off 2m40s restarting failed container",
            6,
            {
                "exitCode": 137,
                "reason": "OOMKilled",
                "startedAt": lab.ctx.ago(3),
                "finishedAt": lab.ctx.ago(3),
            },
        )
        lab.warn(p, "BackOff", "Back-off restarting failed container", 20)
    _unavailable(lab.app[0], lab.app[1])


def unschedulable(lab: Lab) -> None:
    message = "0/9 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated taint."
    for p in lab.app_pods:
        p["spec"].pop("nodeName", None)
        p["status"] = {
            "phase": "Pending",
            "qosClass": "Burstable",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": message,
                    "lastTransitionTime": lab.ctx.ago(40),
                }
            ],
        }
        lab.events.append(_scheduler_event(lab, p, message))
    _unavailable(lab.app[0], lab.app[1])
    lab.app_endpoints["subsets"] = []


def _scheduler_event(lab: Lab, pod: Obj, message: str) -> Obj:
    from simulator.builders import event

    warning = event(lab.ctx, pod, "FailedScheduling", message, "Warning", 12)
    warning["source"] = {"component": "default-scheduler"}
    warning["reportingComponent"] = "default-scheduler"
    return warning


def progress_deadline(lab: Lab) -> None:
    dep = lab.app[0]
    for p in lab.app_pods:
        _unready(lab, p, 30)
    _unavailable(dep, lab.app[1])
    dep["status"]["conditions"][1].update(
        status="False",
        reason="ProgressDeadlineExceeded",
        message=f'ReplicaSet "{lab.app[1]["metadata"]["name"]}" has timed out progressing.',
    )


def pvc_pending(lab: Lab) -> None:
    claim = _data_pvc(lab)
    claim["status"] = {"phase": "Pending"}
    claim["spec"].pop("volumeName", None)
    from simulator.builders import event

    lab.events.append(
        event(
            lab.ctx,
            claim,
            "ExternalProvisioning",
            "Waiting for a volume to be created either by the external "
            "provisioner 'openshift-storage.rbd.csi.ceph.com' or manually",
            count=40,
        )
    )


def pvc_provisioning_failed(lab: Lab) -> None:
    pvc_pending(lab)
    lab.warn(
        _data_pvc(lab),
        "ProvisioningFailed",
        'failed to provision volume with StorageClass "ocs-storagecluster-ceph-rbd": '
        "rpc error: code = ResourceExhausted desc = pool quota exceeded",
    )


def _data_pvc(lab: Lab) -> Obj:
    return lab.data_pvc if lab.data_pvc is not None else lab.vms[0].pvc


def datavolume_failed(lab: Lab) -> None:
    dv = lab.vms[0].dv
    dv["status"].update(phase="Failed", progress="N/A", restartCount=6)
    dv["status"]["conditions"][2].update(
        status="False", reason="Error", message="Unable to process data: unexpected EOF"
    )
    _vm_status(lab, 0, "Provisioning")
    lab.warn(dv, "ErrImportFailed", "Unable to process data: unexpected EOF")


def datavolume_stalled(lab: Lab) -> None:
    dv = lab.vms[0].dv
    dv["metadata"]["creationTimestamp"] = lab.ctx.ago(300)
    dv["status"].update(phase="ImportInProgress", progress="12.40%")
    dv["status"]["conditions"][1].update(status="False", reason="TransferRunning")
    dv["status"]["conditions"][2].update(status="True", reason="Pod is running")
    _vm_status(lab, 0, "Provisioning")


def _vm_status(lab: Lab, index: int, printable: str, vmi_phase: str = "") -> None:
    vms = lab.vms[index]
    vm, vmi, launcher = vms.vm, vms.vmi, vms.launcher
    vm["status"].update(printableStatus=printable, ready=False)
    vm["status"]["conditions"] = [
        {
            "type": "Ready",
            "status": "False",
            "reason": printable,
            "lastTransitionTime": lab.ctx.ago(30),
        }
    ]
    if vmi_phase:
        vmi["status"]["phase"] = vmi_phase
        vmi["status"]["conditions"] = [
            c for c in vmi["status"]["conditions"] if c["type"] != "AgentConnected"
        ]
        vmi["status"]["conditions"][0].update(status="False", reason="GuestNotRunning")
        launcher["status"]["phase"] = "Failed" if vmi_phase == "Failed" else "Pending"
    elif printable in ("Provisioning", "DataVolumeError"):
        vms.booted = False


def vmi_not_running(lab: Lab) -> None:
    _vm_status(lab, 0, "Starting", "Scheduled")


def vmi_failed(lab: Lab) -> None:
    _vm_status(lab, 0, "CrashLoopBackOff", "Failed")
    lab.warn(lab.vms[0].vmi, "SyncFailed", "server error. command SyncVMI failed: LibvirtError")


def guest_agent_missing(lab: Lab) -> None:
    vm, vmi = lab.vms[0].vm, lab.vms[0].vmi
    vmi["status"]["conditions"] = [
        c for c in vmi["status"]["conditions"] if c["type"] != "AgentConnected"
    ]
    vmi["status"].pop("guestOSInfo", None)
    vm["status"]["conditions"] = [
        c for c in vm["status"]["conditions"] if c["type"] != "AgentConnected"
    ]


def vm_error_unschedulable(lab: Lab) -> None:
    _vm_status(lab, 0, "ErrorUnschedulable", "Scheduling")
    vmi = lab.vms[0].vmi
    vmi["status"]["conditions"].append(
        {
            "type": "PodScheduled",
            "status": "False",
            "reason": "Unschedulable",
            "message": "0/9 nodes are available: 6 Insufficient memory.",
        }
    )
    lab.events.append(
        _scheduler_event(
            lab, lab.vms[0].launcher, "0/9 nodes are available: 6 Insufficient memory."
        )
    )


def vm_datavolume_error(lab: Lab) -> None:
    dv = lab.vms[0].dv
    dv["status"].update(phase="Failed", progress="N/A")
    _vm_status(lab, 0, "DataVolumeError")
    lab.warn(dv, "Error", "DataVolume import failed: source image not found (404)")


def route_not_admitted(lab: Lab) -> None:
    ingress = lab.app_route["status"]["ingress"][0]
    ingress["conditions"] = [
        {
            "type": "Admitted",
            "status": "False",
            "reason": "HostAlreadyClaimed",
            "message": f"route workshop-app already exposes {ingress['host']} and is older",
            "lastTransitionTime": lab.ctx.ago(100),
        }
    ]


def service_no_endpoints(lab: Lab) -> None:
    lab.app_service["spec"]["selector"] = {"app": "workshop-app-v1"}
    lab.app_endpoints["subsets"] = []


def showroom_down(lab: Lab) -> None:
    for p in lab.showroom_pods:
        _waiting(
            p,
            "CrashLoopBackOff",
            "back-off 5m0s restarting failed container",
            9,
            {"exitCode": 1, "reason": "Error"},
        )
    _unavailable(lab.showroom[0], lab.showroom[1])
    lab.showroom_endpoints["subsets"] = []
    lab.showroom_state = "down"


def showroom_not_ready(lab: Lab) -> None:
    for p in lab.showroom_pods:
        _unready(lab, p, 9)
    lab.showroom_state = "not_ready"


def showroom_content_missing(lab: Lab) -> None:
    lab.showroom_state = "content_missing"


def namespace_terminating(lab: Lab) -> None:
    meta = lab.namespace["metadata"]
    meta["deletionTimestamp"] = lab.ctx.ago(95)
    meta["finalizers"] = ["kubevirt.io/virtualMachineControllerFinalize"]
    lab.namespace["status"] = {
        "phase": "Terminating",
        "conditions": [
            {
                "type": "NamespaceFinalizersRemaining",
                "status": "True",
                "reason": "SomeFinalizersRemain",
                "message": "Some content in the namespace has finalizers remaining",
            }
        ],
    }


def namespace_missing(lab: Lab) -> None:
    lab.present = False


def anarchy_provision_failed(lab: Lab) -> None:
    _subject_state(lab, "provision-failed", "started", "provision")


def anarchy_destroy_failed(lab: Lab) -> None:
    _subject_state(lab, "destroy-failed", "destroyed", "destroy")


def _subject_state(lab: Lab, current: str, desired: str, action: str) -> None:
    subject = lab.subject
    subject["metadata"]["labels"]["state"] = current
    subject["spec"]["vars"].update(current_state=current, desired_state=desired, healthy=False)
    subject["status"]["actions"] = {
        action: {
            "startTimestamp": lab.ctx.ago(200),
            "completeTimestamp": lab.ctx.ago(180),
            "state": "failed",
        }
    }
    subject["status"]["towerJobs"] = {action: tower_job(lab.ctx, lab.guid, "failed")}
    subject["status"]["runStatus"] = "failed"


def inferenceservice_not_ready(lab: Lab) -> None:
    assert lab.model is not None
    status = lab.model["status"]
    status.pop("url", None)
    for cond in status["conditions"]:
        if cond["type"] in ("PredictorReady", "Ready"):
            cond.update(
                status="False",
                reason="MinimumReplicasUnavailable",
                message="Deployment does not have minimum availability.",
            )
    status["modelStatus"] = {
        "states": {"activeModelState": "", "targetModelState": "Pending"},
        "transitionStatus": "InProgress",
    }


LAB_FAILURES: dict[str, tuple[tuple[str, ...], LabFailure]] = {
    "crashloop": (ALL, crashloop),
    "imagepull": (ALL, imagepull),
    "oomkilled": (ALL, oomkilled),
    "unschedulable": (ALL, unschedulable),
    "progress_deadline": (ALL, progress_deadline),
    "pvc_pending": (ALL, pvc_pending),
    "pvc_provisioning_failed": (ALL, pvc_provisioning_failed),
    "datavolume_failed": (("vm",), datavolume_failed),
    "datavolume_stalled": (("vm",), datavolume_stalled),
    "vmi_not_running": (("vm",), vmi_not_running),
    "vmi_failed": (("vm",), vmi_failed),
    "guest_agent_missing": (("vm",), guest_agent_missing),
    "vm_error_unschedulable": (("vm",), vm_error_unschedulable),
    "vm_datavolume_error": (("vm",), vm_datavolume_error),
    "route_not_admitted": (ALL, route_not_admitted),
    "service_no_endpoints": (ALL, service_no_endpoints),
    "showroom_down": (ALL, showroom_down),
    "showroom_not_ready": (ALL, showroom_not_ready),
    "showroom_content_missing": (ALL, showroom_content_missing),
    "namespace_terminating": (ALL, namespace_terminating),
    "namespace_missing": (ALL, namespace_missing),
    "anarchy_provision_failed": (ALL, anarchy_provision_failed),
    "anarchy_destroy_failed": (ALL, anarchy_destroy_failed),
    "inferenceservice_not_ready": (("model",), inferenceservice_not_ready),
}


FAILURE_KINDS: tuple[str, ...] = (*LAB_FAILURES, *NODE_FAILURES)
