"""Build `NamespaceEvidence` from a folder of `oc get -o json` captures (tests, replay, bench)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanning.kinds import EVIDENCE_KINDS
from stargate.lib.evidence import KubeObject, NamespaceEvidence

# Capture file stems (../shared/fixtures) → evidence kinds.
FILE_KINDS = {
    "pods": "pods",
    "deployment": "deployments",
    "statefulset": "statefulsets",
    "replicaset": "replicasets",
    "service": "services",
    "endpoints": "endpoints",
    "route": "routes",
    "events": "events",
    "pvc": "persistentvolumeclaims",
    "vm": "virtualmachines",
    "vmi": "virtualmachineinstances",
    "datavolume": "datavolumes",
    "inferenceservice": "inferenceservices",
    "anarchysubject": "anarchysubjects",
}


def capture_items(path: Path) -> list[KubeObject]:
    data: dict[str, Any] = json.loads(path.read_text())
    return list(data["items"]) if "items" in data else [data]


def evidence_from_folder(folder: Path, *, cluster: str = "captured") -> NamespaceEvidence:
    objects: dict[str, list[KubeObject]] = {kind: [] for kind in EVIDENCE_KINDS}
    namespace_object: KubeObject | None = None
    for path in sorted(folder.glob("*.json")):
        if path.stem == "namespace":
            namespace_object = capture_items(path)[0]
        elif kind := FILE_KINDS.get(path.stem):
            objects[kind].extend(capture_items(path))
    name = (namespace_object or {}).get("metadata", {}).get("name", folder.name)
    return NamespaceEvidence(
        cluster=cluster,
        namespace=str(name),
        namespace_object=namespace_object,
        objects=objects,
        showroom=None,
        cluster_health=None,
        lab={},
        stale=False,
    )
