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
