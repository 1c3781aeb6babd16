"""KubeVirt lab objects: a VM with its VMI, DataVolume, PVC and virt-launcher pod; KServe models."""

from __future__ import annotations

from simulator.builders import container, pvc, running_status
from simulator.context import BuildContext, Obj, owner_ref

KUBEVIRT = "kubevirt.io/v1"
CDI = "cdi.kubevirt.io/v1beta1"
KSERVE = "serving.kserve.io/v1beta1"


def _condition(type_: str, status: str = "True", reason: str = "", message: str = "") -> Obj:
    cond: Obj = {
        "type": type_,
        "status": status,
        "lastProbeTime": None,
        "lastTransitionTime": "2026-01-01T00:00:00Z",
    }
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def virtual_machine(ctx: BuildContext, name: str, disk_size: str = "60Gi") -> list[Obj]:
    """VM, VMI, DataVolume, PVC and virt-launcher pod of one running VM with its guest agent."""
    labels = {"kubevirt.io/domain": name, "vm.kubevirt.io/name": name}
    dv_name = f"{name}-rootdisk"
    vm: Obj = {
        "apiVersion": KUBEVIRT,
        "kind": "VirtualMachine",
        "metadata": ctx.meta(name, 170, labels={"app": name}, generation=1),
        "spec": {
            "runStrategy": "Always",
            "dataVolumeTemplates": [
                {
                    "metadata": {"name": dv_name},
                    "spec": {
                        "storage": {"resources": {"requests": {"storage": disk_size}}},
                        "sourceRef": {"kind": "DataSource", "name": "rhel9"},
                    },
                }
            ],
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "domain": {"cpu": {"cores": 2}, "memory": {"guest": "8Gi"}, "devices": {}},
                    "volumes": [{"name": "rootdisk", "dataVolume": {"name": dv_name}}],
                },
            },
        },
        "status": {
            "printableStatus": "Running",
            "ready": True,
            "created": True,
            "observedGeneration": 1,
            "conditions": [_condition("Ready"), _condition("AgentConnected")],
        },
    }
    node = ctx.node()
    vmi = {
        "apiVersion": KUBEVIRT,
        "kind": "VirtualMachineInstance",
        "metadata": ctx.meta(name, 160, labels=dict(labels), ownerReferences=[owner_ref(vm)]),
        "spec": vm["spec"]["template"]["spec"],
        "status": {
            "phase": "Running",
            "nodeName": node,
            "conditions": [
                _condition("Ready"),
                _condition("LiveMigratable"),
                _condition("AgentConnected"),
            ],
            "guestOSInfo": {"id": "rhel", "name": "Red Hat Enterprise Linux", "version": "9.4"},
            "interfaces": [{"name": "default", "ipAddress": f"10.131.{ctx.rng.randrange(256)}.9"}],
        },
    }
    dv = {
        "apiVersion": CDI,
        "kind": "DataVolume",
        "metadata": ctx.meta(dv_name, 170, ownerReferences=[owner_ref(vm)]),
        "spec": vm["spec"]["dataVolumeTemplates"][0]["spec"],
        "status": {
            "phase": "Succeeded",
            "progress": "100.0%",
            "claimName": dv_name,
            "conditions": [
                _condition("Bound"),
                _condition("Ready"),
                _condition("Running", "False", "Completed"),
            ],
        },
    }
    launcher_containers = [
        container(
            "compute",
            "registry.redhat.io/container-native-virtualization/virt-launcher-rhel9:v4.18",
        )
    ]
    launcher = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": ctx.meta(
            f"virt-launcher-{name}-{ctx.suffix()}",
            160,
            labels={**labels, "kubevirt.io": "virt-launcher"},
            ownerReferences=[owner_ref(vmi)],
        ),
        "spec": {"containers": launcher_containers, "nodeName": node},
        "status": running_status(ctx, launcher_containers, node, 160),
    }
    return [vm, vmi, dv, pvc(ctx, dv_name, disk_size), launcher]


def inference_service(ctx: BuildContext, name: str) -> Obj:
    url = f"https://{name}-{ctx.namespace}.apps.{ctx.cluster}.example.com"
    return {
        "apiVersion": KSERVE,
        "kind": "InferenceService",
        "metadata": ctx.meta(
            name,
            150,
            generation=1,
            annotations={"serving.kserve.io/deploymentMode": "RawDeployment"},
        ),
        "spec": {
            "predictor": {
                "model": {
                    "modelFormat": {"name": "vLLM"},
                    "runtime": "vllm-runtime",
                    "storageUri": "oci://quay.io/example/granite:3.3",
                }
            }
        },
        "status": {
            "url": url,
            "observedGeneration": 1,
            "conditions": [
                _condition("IngressReady"),
                _condition("PredictorReady"),
                _condition("Ready"),
            ],
            "modelStatus": {
                "states": {"activeModelState": "Loaded", "targetModelState": "Loaded"},
                "transitionStatus": "UpToDate",
            },
        },
    }
