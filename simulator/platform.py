"""Cluster-wide objects of a generated fleet: nodes and their metrics, AnarchySubjects, pools."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from simulator.catalog import cloud_provider, full_name
from simulator.context import BuildContext, Obj
from simulator.controllers import RECONCILED_MIN

ANARCHY = "anarchy.gpte.redhat.com/v1"
POOLBOY = "poolboy.gpte.redhat.com/v1"
POOL_NAMESPACE = "poolboy"
CLAIM_NAMESPACE = "user-sim-ops"  # where the simulated requester's ResourceClaims live


HARDWARE_LABEL = "stargate.io/hardware-class"  # STARGATE_NODE_HARDWARE_LABEL's default


def node(
    ctx: BuildContext,
    name: str,
    role: str,
    cpu: int = 16,
    memory_gi: int = 64,
    hardware: str = "",
) -> Obj:
    labels = {
        "kubernetes.io/hostname": name,
        f"node-role.kubernetes.io/{role}": "",
        "node.kubernetes.io/instance-type": f"m6i.{cpu // 4}xlarge",
    }
    if hardware:
        labels[HARDWARE_LABEL] = hardware
    meta = ctx.meta(name, 60 * 24 * 30, labels=labels)
    del meta["namespace"]
    ready = ctx.ago(60 * 24)
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta,
        "spec": {"providerID": f"aws:///us-east-2a/i-{ctx.rng.getrandbits(64):016x}"},
        "status": {
            "capacity": {
                "cpu": str(cpu),
                "memory": f"{memory_gi}Gi",
                "pods": "250",
                "ephemeral-storage": "125Gi",
            },
            "allocatable": {
                "cpu": f"{cpu * 1000 - 500}m",
                "memory": f"{memory_gi - 2}Gi",
                "pods": "250",
                "ephemeral-storage": "115Gi",
            },
            "conditions": [
                {
                    "type": t,
                    "status": "False",
                    "reason": f"KubeletHasNo{t}",
                    "lastHeartbeatTime": ctx.ago(0.5),
                    "lastTransitionTime": ready,
                }
                for t in ("MemoryPressure", "DiskPressure", "PIDPressure")
            ]
            + [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                    "lastHeartbeatTime": ctx.ago(0.5),
                    "lastTransitionTime": ready,
                }
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": ctx.uid(),
                "containerRuntimeVersion": "cri-o://1.31.6",
                "kernelVersion": "5.14.0-427.50.1.el9_4.x86_64",
                "kubeProxyVersion": "v1.31.6",
                "kubeletVersion": "v1.31.6",
                "machineID": ctx.uid().replace("-", ""),
                "operatingSystem": "linux",
                "osImage": "Red Hat Enterprise Linux CoreOS 418.94",
                "systemUUID": ctx.uid(),
            },
            "addresses": [
                {"type": "InternalIP", "address": f"10.0.{ctx.rng.randrange(256)}.10"},
                {"type": "Hostname", "address": name},
            ],
        },
    }


def node_metrics(ctx: BuildContext, node_obj: Obj, cpu_fraction: float) -> Obj:
    capacity = int(node_obj["status"]["capacity"]["cpu"])
    memory = int(node_obj["status"]["capacity"]["memory"].removesuffix("Gi"))
    return {
        "apiVersion": "metrics.k8s.io/v1beta1",
        "kind": "NodeMetrics",
        "metadata": {
            "name": node_obj["metadata"]["name"],
            "creationTimestamp": ctx.ago(0),
            "labels": node_obj["metadata"]["labels"],
        },
        "timestamp": ctx.ago(0.3),
        "window": "20s",
        "usage": {
            "cpu": f"{int(capacity * 1000 * cpu_fraction)}m",
            "memory": f"{int(memory * 1024 * min(0.95, cpu_fraction + 0.1))}Mi",
        },
    }


def anarchy_subject(
    ctx: BuildContext,
    catalog_item: str,
    guid: str,
    lab_namespace: str,
    current: str = "started",
    desired: str = "started",
) -> Obj:
    governor = full_name(catalog_item)
    failed = current.endswith("-failed")
    action = current.split("-")[0] if failed else "provision"
    status: dict[str, Any] = {
        "actions": {
            action: {
                "startTimestamp": ctx.ago(200),
                "completeTimestamp": ctx.ago(180),
                "state": "failed" if failed else "successful",
            }
        },
        "towerJobs": {action: tower_job(ctx, guid, "failed" if failed else "successful")},
        "runStatus": "failed" if failed else "successful",
    }
    return {
        "apiVersion": ANARCHY,
        "kind": "AnarchySubject",
        "metadata": ctx.meta(
            f"{governor}-{guid}",
            220,
            labels={
                "anarchy.gpte.redhat.com/governor": governor,
                "state": current,
                "sandbox": guid,
            },
            annotations={
                "poolboy.gpte.redhat.com/resource-handle-name": f"guid-{guid}",
                "poolboy.gpte.redhat.com/resource-claim-name": f"{catalog_item}-{guid}",
                "poolboy.gpte.redhat.com/resource-claim-namespace": CLAIM_NAMESPACE,
            },
        ),
        "spec": {
            "governor": governor,
            "vars": {
                "current_state": current,
                "desired_state": desired,
                "healthy": not failed,
                "job_vars": {
                    "guid": guid,
                    "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"sim-service/{guid}")),
                    "catalog_item_name": catalog_item,
                    "sandbox_openshift_namespace": lab_namespace,
                    "sandbox_openshift_cluster": ctx.cluster,
                    "sandbox_openshift_api_url": f"https://api.{ctx.cluster}.sim.example.com:6443",
                    "cloud_provider": cloud_provider(catalog_item),
                },
                "provision_data": {
                    "guid": guid,
                    "openshift_console_url": f"https://console.apps.{ctx.cluster}.sim.example.com",
                    "openshift_cluster_admin_password": "sim-Adm1n-not-a-secret",
                },
            },
        },
        "status": status,
    }


def tower_job(ctx: BuildContext, guid: str, job_status: str) -> dict[str, Any]:
    """`status.towerJobs.<action>`; the job id is the one the AAP simulator serves for the lab."""
    return {
        "jobStatus": job_status,
        "startTimestamp": ctx.ago(200),
        "completeTimestamp": ctx.ago(180),
        "deployerJob": aap_job_id(guid),
        "towerHost": "aap-event0.sim.example.com",
        "towerJobURL": f"https://aap-event0.sim.example.com/#/jobs/{aap_job_id(guid)}/output",
    }


def aap_job_id(guid: str) -> int:
    return 10000 + int(guid, 36) % 90000


def resource_pool(ctx: BuildContext, catalog_item: str, min_available: int = 2) -> Obj:
    cloud = cloud_provider(catalog_item)
    return {
        "apiVersion": POOLBOY,
        "kind": "ResourcePool",
        "metadata": ctx.meta(
            catalog_item,
            60 * 24 * 10,
            generation=1,
            finalizers=["poolboy.gpte.redhat.com/handler"],
            labels={f"cloud-provider.demo.redhat.com/{cloud}": "true"},
            annotations={RECONCILED_MIN: str(min_available)},
        ),
        "spec": {
            "minAvailable": min_available,
            "maxUnready": 5,
            "lifespan": {
                "default": "1d",
                "maximum": "7d",
                "relativeMaximum": "1d6h",
                "unclaimed": "1d",
            },
            "resources": [
                {
                    "name": catalog_item,
                    "provider": {
                        "apiVersion": POOLBOY,
                        "kind": "ResourceProvider",
                        "name": full_name(catalog_item),
                        "namespace": POOL_NAMESPACE,
                    },
                }
            ],
        },
    }


def node_not_ready(node: Obj, metrics: Obj) -> None:
    ready = node["status"]["conditions"][-1]
    ready.update(
        status="Unknown", reason="NodeStatusUnknown", message="Kubelet stopped posting node status."
    )
    node["spec"]["taints"] = [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}]
    del metrics["usage"]  # no fresh sample: the generator drops these metrics


def node_high_cpu(node: Obj, metrics: Obj) -> None:
    capacity = int(node["status"]["capacity"]["cpu"])
    metrics["usage"]["cpu"] = f"{int(capacity * 1000 * 0.97)}m"


NODE_FAILURES: dict[str, Callable[[Obj, Obj], None]] = {
    "node_not_ready": node_not_ready,
    "node_high_cpu": node_high_cpu,
}
