"""Reading the real captures (../shared/fixtures) as raw lists per evidence kind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Capture file name → PROJECTIONS key.
CAPTURE_FILES = {
    "pods.json": "pods",
    "deployment.json": "deployments",
    "service.json": "services",
    "endpoints.json": "endpoints",
    "route.json": "routes",
    "events.json": "events",
    "pvc.json": "persistentvolumeclaims",
    "vm.json": "virtualmachines",
    "vmi.json": "virtualmachineinstances",
    "datavolume.json": "datavolumes",
    "inferenceservice.json": "inferenceservices",
    "anarchysubject.json": "anarchysubjects",
}


def items_of(path: Path) -> list[dict[str, Any]]:
    document = json.loads(path.read_text())
    if "items" in document:
        return list(document["items"])
    return [document]


def capture_folders(root: Path) -> list[Path]:
    """Every folder holding a namespace.json or object lists."""
    return sorted(
        {p.parent for name in CAPTURE_FILES for p in root.rglob(name)}
        | {p.parent for p in root.rglob("namespace.json")}
    )


def capture_lists(folder: Path) -> dict[str, list[dict[str, Any]]]:
    return {
        kind: items_of(folder / name)
        for name, kind in CAPTURE_FILES.items()
        if (folder / name).exists()
    }


def capture_namespace(folder: Path) -> tuple[str, dict[str, Any] | None]:
    """The namespace name the folder's objects live in, and its Namespace object if captured."""
    path = folder / "namespace.json"
    if path.exists():
        namespace = json.loads(path.read_text())
        return namespace["metadata"]["name"], namespace
    for items in capture_lists(folder).values():
        for item in items:
            if item.get("metadata", {}).get("namespace"):
                return item["metadata"]["namespace"], None
    return folder.name, None


def cluster_row(sim: Any, name: str, *, via: str = "kubeconfig") -> Any:
    """A Cluster row for simulated cluster `name`: through its kubeconfig, or through its URL,
    a token file and the simulator's CA bundle."""
    from labs.models import Cluster

    if via == "kubeconfig":
        return Cluster.objects.create(
            name=name, api_url=sim.url(name), kubeconfig_path=str(sim.kubeconfig_path(name))
        )
    token = sim.directory / f"{name}.token"
    token.write_text(sim.token + "\n")
    return Cluster.objects.create(
        name=name,
        api_url=sim.url(name),
        token_file=str(token),
        ca_bundle_path=str(sim.ca_path or ""),
    )


def node(name: str, *, ready: bool = True, memory_pressure: bool = False) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "spec": {},
        "status": {
            "allocatable": {"cpu": "8", "memory": "32Gi"},
            "capacity": {"cpu": "8", "memory": "32Gi"},
            "conditions": [
                {"type": "Ready", "status": "True" if ready else "False"},
                {"type": "MemoryPressure", "status": "True" if memory_pressure else "False"},
            ],
        },
    }


def node_metrics(name: str, cpu: str, memory: str) -> dict[str, Any]:
    return {
        "apiVersion": "metrics.k8s.io/v1beta1",
        "kind": "NodeMetrics",
        "metadata": {"name": name},
        "usage": {"cpu": cpu, "memory": memory},
    }


def lab_pod(
    namespace: str, name: str, *, waiting: str | None = None, env: Any = None
) -> dict[str, Any]:
    state: dict[str, Any] = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": "demo"}},
        "spec": {"containers": [{"name": "app", "image": "quay.io/x/app:1", "env": env or []}]},
        "status": {
            "phase": "Running" if not waiting else "Pending",
            "containerStatuses": [
                {"name": "app", "ready": not waiting, "restartCount": 0, "state": state}
            ],
        },
    }


def namespace_obj(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name},
        "status": {"phase": "Active"},
    }
