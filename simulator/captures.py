"""Load captured cluster objects (the layout of ../shared/fixtures) into a store, unchanged.

A capture directory holds one folder per namespace, nested at any depth, each file a `List` (any
`*List` kind) or a single object. Files whose kind the simulator does not serve (probe summaries
such as ShowroomHealth) are skipped and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from simulator.kinds import kind_for_object
from simulator.store import Obj, Store


@dataclass
class Capture:
    objects: list[Obj] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def _objects_in(document: Any) -> list[Obj]:
    if isinstance(document, dict) and str(document.get("kind", "")).endswith("List"):
        return list(document.get("items") or [])
    return [document] if isinstance(document, dict) else []


def read_captures(directory: Path) -> Capture:
    """Every object in the JSON files under `directory`, in path order."""
    capture = Capture()
    for path in sorted(directory.rglob("*.json")):
        objects = _objects_in(orjson.loads(path.read_bytes()))
        served = [obj for obj in objects if kind_for_object(obj) is not None]
        if objects and not served:
            capture.skipped.append(path)
        capture.objects.extend(served)
    return capture


def captures_store(directory: Path, name: str | None = None) -> Store:
    """A store serving the captures under `directory` exactly as captured."""
    store = Store(name or directory.name)
    store.load(read_captures(directory).objects, stamp=False)
    return store
