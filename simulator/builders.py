"""Realistic core and apps objects for a generated lab: pods, deployments, services, routes."""

from __future__ import annotations

from typing import Any

from simulator.context import BuildContext, Obj, owner_ref
from simulator.controllers import template_hash

ROUTE_URL_ANNOTATION = "simulator.stargate.dev/url"


def namespace(ctx: BuildContext, labels: dict[str, str]) -> Obj:
    meta = ctx.meta(ctx.namespace, 240)
    del meta["namespace"]
    meta["labels"] = {"kubernetes.io/metadata.name": ctx.namespace, **labels}
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": meta,
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def running_status(ctx: BuildContext, containers: list[Obj], node: str, minutes: float) -> Obj:
    started = ctx.ago(minutes)
    return {
        "phase": "Running",
        "hostIP": "10.0.0.10",
        "podIP": f"10.128.{ctx.rng.randrange(256)}.{ctx.rng.randrange(1, 255)}",
        "startTime": started,
        "qosClass": "Burstable",
        "conditions": [
            {"type": t, "status": "True", "lastTransitionTime": started}
            for t in (
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled",
            )
        ],
        "containerStatuses": [
            {
                "name": c["name"],
                "image": c["image"],
                "imageID": c["image"],
                "ready": True,
                "started": True,
                "restartCount": 0,
                "state": {"running": {"startedAt": started}},
                "containerID": f"cri-o://{ctx.uid().replace('-', '')}",
            }
            for c in containers
        ],
    }


def container(name: str, image: str, port: int = 8080, cpu: str = "100m") -> Obj:
    return {
        "name": name,
        "image": image,
        "ports": [{"containerPort": port, "protocol": "TCP"}],
        "resources": {
            "requests": {"cpu": cpu, "memory": "256Mi"},
            "limits": {"cpu": "1", "memory": "1Gi"},
        },
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": port}, "periodSeconds": 10},
        "imagePullPolicy": "IfNotPresent",
    }


def pod(
    ctx: BuildContext,
    name: str,
    labels: dict[str, str],
    containers: list[Obj],
    owner: Obj | None = None,
    minutes: float = 90.0,
) -> Obj:
    node = ctx.node()
    meta = ctx.meta(name, minutes, labels=dict(labels))
    if owner is not None:
        meta["ownerReferences"] = [owner_ref(owner)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "containers": containers,
            "nodeName": node,
            "restartPolicy": "Always",
            "serviceAccountName": "default",
        },
        "status": running_status(ctx, containers, node, minutes),
    }


def deployment(
    ctx: BuildContext, name: str, image: str, replicas: int = 1, port: int = 8080
) -> list[Obj]:
    """A Deployment, its ReplicaSet and its running pods, wired by owner references."""
    labels = {"app": name, "app.kubernetes.io/name": name}
    template = {
        "metadata": {"labels": dict(labels)},
        "spec": {"containers": [container(name, image, port)]},
    }
    rs_name = f"{name}-{template_hash(template)}"
    dep = _deployment(ctx, name, labels, template, replicas, rs_name)
    rs_labels = {**labels, "pod-template-hash": rs_name.rsplit("-", 1)[1]}
    rs: Obj = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": ctx.meta(rs_name, 180, labels=rs_labels, ownerReferences=[owner_ref(dep)]),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": rs_labels},
            "template": {
                "metadata": {"labels": rs_labels},
                "spec": {"containers": [container(name, image, port)]},
            },
        },
        "status": {
            "replicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "observedGeneration": 1,
        },
    }
    pods = [
        pod(ctx, f"{rs_name}-{ctx.suffix()}", rs_labels, [container(name, image, port)], rs, 170)
        for _ in range(replicas)
    ]
    return [dep, rs, *pods]


def _deployment(
    ctx: BuildContext, name: str, labels: dict[str, str], template: Obj, replicas: int, rs_name: str
) -> Obj:
    def condition(type_: str, reason: str, message: str) -> Obj:
        return {
            "type": type_,
            "status": "True",
            "reason": reason,
            "message": message,
            "lastUpdateTime": ctx.ago(170),
            "lastTransitionTime": ctx.ago(175),
        }

    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": ctx.meta(
            name,
            180,
            labels=dict(labels),
            generation=1,
            annotations={"deployment.kubernetes.io/revision": "1"},
        ),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": template,
            "progressDeadlineSeconds": 600,
            "strategy": {"type": "RollingUpdate"},
        },
        "status": {
            "observedGeneration": 1,
            "replicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "updatedReplicas": replicas,
            "conditions": [
                condition(
                    "Available", "MinimumReplicasAvailable", "Deployment has minimum availability."
                ),
                condition(
                    "Progressing",
                    "NewReplicaSetAvailable",
                    f'ReplicaSet "{rs_name}" has successfully progressed.',
                ),
            ],
        },
    }


def service(ctx: BuildContext, name: str, port: int = 8080) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": ctx.meta(name, 180, labels={"app": name}),
        "spec": {
            "selector": {"app": name},
            "type": "ClusterIP",
            "clusterIP": f"172.30.{ctx.rng.randrange(256)}.{ctx.rng.randrange(1, 255)}",
            "ports": [{"name": "http", "port": port, "targetPort": port, "protocol": "TCP"}],
        },
        "status": {"loadBalancer": {}},
    }


def endpoints(ctx: BuildContext, name: str, pods: list[Obj], port: int = 8080) -> Obj:
    addresses = [
        {
            "ip": p["status"].get("podIP", "10.128.0.1"),
            "nodeName": p["spec"].get("nodeName"),
            "targetRef": {
                "kind": "Pod",
                "name": p["metadata"]["name"],
                "namespace": ctx.namespace,
                "uid": p["metadata"]["uid"],
            },
        }
        for p in pods
    ]
    subsets = (
        [{"addresses": addresses, "ports": [{"name": "http", "port": port, "protocol": "TCP"}]}]
        if pods
        else []
    )
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": ctx.meta(name, 180, labels={"app": name}),
        "subsets": subsets,
    }


def route(ctx: BuildContext, name: str, host: str, path_url: str | None = None) -> Obj:
    meta = ctx.meta(name, 180, labels={"app": name})
    if path_url is not None:
        meta["annotations"] = {ROUTE_URL_ANNOTATION: path_url}
    return {
        "apiVersion": "route.openshift.io/v1",
        "kind": "Route",
        "metadata": meta,
        "spec": {
            "host": host,
            "to": {"kind": "Service", "name": name, "weight": 100},
            "port": {"targetPort": "http"},
            "tls": {"termination": "edge", "insecureEdgeTerminationPolicy": "Redirect"},
            "wildcardPolicy": "None",
        },
        "status": {
            "ingress": [
                {
                    "host": host,
                    "routerName": "default",
                    "wildcardPolicy": "None",
                    "routerCanonicalHostname": host.split(".", 1)[1] if "." in host else host,
                    "conditions": [
                        {"type": "Admitted", "status": "True", "lastTransitionTime": ctx.ago(179)}
                    ],
                }
            ]
        },
    }


def completed_pod(
    ctx: BuildContext,
    name: str,
    labels: dict[str, str],
    minutes: float,
    exit_reason: str = "Completed",
) -> Obj:
    """A finished pod: a build or a CronJob run."""
    done = ctx.ago(minutes)
    image = "image-registry.openshift-image-registry.svc:5000/openshift/cli:latest"
    node = ctx.node()
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": ctx.meta(name, minutes + 2, labels=labels),
        "spec": {
            "containers": [{"name": "main", "image": image}],
            "nodeName": node,
            "restartPolicy": "Never",
        },
        "status": {
            "phase": "Succeeded",
            "startTime": ctx.ago(minutes + 2),
            "conditions": [{"type": "Ready", "status": "False", "reason": "PodCompleted"}],
            "containerStatuses": [
                {
                    "name": "main",
                    "image": image,
                    "imageID": image,
                    "ready": False,
                    "started": False,
                    "restartCount": 0,
                    "state": {
                        "terminated": {
                            "exitCode": 0,
                            "reason": exit_reason,
                            "startedAt": ctx.ago(minutes + 2),
                            "finishedAt": done,
                        }
                    },
                }
            ],
        },
    }


def event(
    ctx: BuildContext,
    involved: Obj,
    reason: str,
    message: str,
    type_: str = "Normal",
    count: int = 1,
    minutes: float = 5.0,
) -> Obj:
    meta = involved["metadata"]
    name = f"{meta['name']}.{ctx.rng.getrandbits(64):016x}"
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": ctx.meta(name, minutes),
        "involvedObject": {
            "apiVersion": involved["apiVersion"],
            "kind": involved["kind"],
            "name": meta["name"],
            "namespace": ctx.namespace,
            "uid": meta.get("uid", ""),
        },
        "reason": reason,
        "message": message,
        "type": type_,
        "count": count,
        "firstTimestamp": ctx.ago(minutes + 30),
        "lastTimestamp": ctx.ago(minutes),
        "source": {"component": "kubelet"},
        "reportingComponent": "kubelet",
    }


def pvc(
    ctx: BuildContext,
    name: str,
    size: str = "10Gi",
    phase: str = "Bound",
    storage_class: str = "ocs-storagecluster-ceph-rbd",
) -> Obj:
    status: dict[str, Any] = {"phase": phase}
    if phase == "Bound":
        status.update({"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}})
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": ctx.meta(name, 170),
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": storage_class,
            "resources": {"requests": {"storage": size}},
            "volumeMode": "Filesystem",
            **({"volumeName": f"pvc-{ctx.uid()}"} if phase == "Bound" else {}),
        },
        "status": status,
    }


def configmap(ctx: BuildContext, name: str, data: dict[str, str]) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": ctx.meta(name, 200), "data": data}


def pod_metrics(ctx: BuildContext, pod_obj: Obj, cpu_m: int, memory_mi: int) -> Obj:
    return {
        "apiVersion": "metrics.k8s.io/v1beta1",
        "kind": "PodMetrics",
        "metadata": {
            "name": pod_obj["metadata"]["name"],
            "namespace": ctx.namespace,
            "creationTimestamp": ctx.ago(0),
            "labels": pod_obj["metadata"]["labels"],
        },
        "timestamp": ctx.ago(0.5),
        "window": "30s",
        "containers": [
            {"name": c["name"], "usage": {"cpu": f"{cpu_m}m", "memory": f"{memory_mi}Mi"}}
            for c in pod_obj["spec"]["containers"]
        ],
    }
