"""One cluster's objects in memory, with resourceVersions and a change history for watches.

Stored dicts are never mutated in place: every write files a new dict, so a dict handed out by
`get` or recorded in the history stays a consistent snapshot.
"""

from __future__ import annotations

import builtins
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simulator.kinds import Kind, kind_for_object

Obj = dict[str, Any]
HISTORY_LIMIT = 50_000


class Conflict(Exception):
    """The object changed since it was read (update with a stale resourceVersion)."""


class AlreadyExists(Conflict):
    """An object of that name already exists (create)."""


class NotFound(Exception):
    """No such object."""


@dataclass(frozen=True)
class Change:
    resource_version: int
    key: str
    type: str  # ADDED, MODIFIED or DELETED
    obj: Obj
    previous: Obj | None = None  # the object before a MODIFIED change


Listener = Callable[["Store", Kind, Change], None]


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """The objects of one simulated cluster, filed by resource, namespace ("" if none) and name."""

    def __init__(self, name: str = "sim") -> None:
        self.name = name
        self._objects: dict[str, dict[str, dict[str, Obj]]] = {}
        self._rv = 1
        self._floor = 1  # watches from an older resourceVersion get 410 Gone
        self._history: deque[Change] = deque(maxlen=HISTORY_LIMIT)
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []

    @property
    def resource_version(self) -> int:
        return self._rv

    @property
    def oldest_resource_version(self) -> int:
        """Changes after this resourceVersion are kept; anything older is gone (410)."""
        return self._floor

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def load(self, objects: Iterable[Obj], stamp: bool = True) -> int:
        """File objects without watch events, keeping their resourceVersions.

        Objects without one get the next resourceVersion, unless `stamp` is false (captures are
        served exactly as captured).
        """
        count = 0
        with self._lock:
            for obj in objects:
                kind = kind_for_object(obj)
                if kind is None:
                    continue
                meta = obj.setdefault("metadata", {})
                rv = str(meta.get("resourceVersion", ""))
                if rv.isdigit():
                    self._rv = max(self._rv, int(rv))
                elif stamp:
                    self._rv += 1
                    meta["resourceVersion"] = str(self._rv)
                self._file(kind, obj)
                count += 1
            self._floor = self._rv
        return count

    def get(self, kind: Kind, namespace: str, name: str) -> Obj | None:
        return self._objects.get(kind.key, {}).get(namespace, {}).get(name)

    def list(self, kind: Kind, namespace: str | None = None) -> list[Obj]:
        """Objects sorted by namespace then name; every namespace when `namespace` is None."""
        with self._lock:
            by_ns = self._objects.get(kind.key, {})
            spaces = sorted(by_ns) if namespace is None else [namespace]
            return [
                obj
                for ns in spaces
                for _, obj in sorted(by_ns.get(ns, {}).items(), key=lambda item: item[0])
            ]

    def namespaces_of(self, kind: Kind) -> builtins.list[str]:
        return sorted(ns for ns, objs in self._objects.get(kind.key, {}).items() if objs)

    def create(self, kind: Kind, obj: Obj) -> Obj:
        meta = obj.setdefault("metadata", {})
        with self._lock:
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
            if self.get(kind, _ns(kind, meta), meta.get("name", "")) is not None:
                raise AlreadyExists(meta.get("name"))
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", now_iso())
            if "spec" in obj:
                meta.setdefault("generation", 1)
            return self._write(kind, obj, "ADDED")

    def update(self, kind: Kind, obj: Obj) -> Obj:
        """Replace an existing object; `generation` follows changes to `spec`."""
        meta = obj["metadata"]
        with self._lock:
            old = self.get(kind, _ns(kind, meta), meta["name"])
            if old is None:
                raise NotFound(meta["name"])
            expected = meta.get("resourceVersion")
            if expected and expected != old["metadata"].get("resourceVersion"):
                raise Conflict(meta["name"])
            if obj.get("spec") != old.get("spec"):
                meta["generation"] = int(old["metadata"].get("generation", 0)) + 1
            return self._write(kind, obj, "MODIFIED", old)

    def delete(self, kind: Kind, namespace: str, name: str) -> Obj:
        with self._lock:
            old = self.get(kind, namespace, name)
            if old is None:
                raise NotFound(name)
            del self._objects[kind.key][namespace][name]
            self._rv += 1
            gone = {**old, "metadata": {**old["metadata"], "resourceVersion": str(self._rv)}}
            change = Change(self._rv, kind.key, "DELETED", gone)
            self._history.append(change)
        self._notify(kind, change)
        return gone

    def delete_namespace_contents(self, namespace: str) -> int:
        """Delete every namespaced object in `namespace`, with DELETED events."""
        from simulator.kinds import KINDS

        count = 0
        for kind in KINDS:
            if kind.namespaced:
                for obj in self.list(kind, namespace):
                    self.delete(kind, namespace, obj["metadata"]["name"])
                    count += 1
        return count

    def changes_since(self, resource_version: int) -> builtins.list[Change] | None:
        """Changes after `resource_version`, or None when it is older than the history kept."""
        with self._lock:
            if resource_version < self._floor:
                return None
            # Watchers poll often and are usually up to date: walk back only over what is new.
            newer: builtins.list[Change] = []
            for change in reversed(self._history):
                if change.resource_version <= resource_version:
                    break
                newer.append(change)
            newer.reverse()
            return newer

    def compact(self) -> None:
        """Forget the history, as etcd compaction does: older watches then get 410 Gone."""
        with self._lock:
            self._history.clear()
            self._floor = self._rv

    def _write(self, kind: Kind, obj: Obj, event: str, previous: Obj | None = None) -> Obj:
        self._rv += 1
        obj["metadata"]["resourceVersion"] = str(self._rv)
        self._file(kind, obj)
        change = Change(self._rv, kind.key, event, obj, previous)
        self._history.append(change)
        if len(self._history) == HISTORY_LIMIT:
            self._floor = self._history[0].resource_version - 1
        self._notify(kind, change)
        return obj

    def _file(self, kind: Kind, obj: Obj) -> None:
        meta = obj["metadata"]
        ns = _ns(kind, meta)
        self._objects.setdefault(kind.key, {}).setdefault(ns, {})[meta["name"]] = obj

    def _notify(self, kind: Kind, change: Change) -> None:
        for listener in self._listeners:
            listener(self, kind, change)


def _ns(kind: Kind, meta: dict[str, Any]) -> str:
    return str(meta.get("namespace", "")) if kind.namespaced else ""
