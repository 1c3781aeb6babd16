"""Reading a cluster: each kind as one cluster-wide paged list, normalized page by page so a
whole cluster's raw JSON is never held in memory at once."""

from __future__ import annotations

import gc
import zlib
from collections.abc import Callable, Collection, Container, Iterable
from dataclasses import dataclass, field

import orjson
from kubernetes.client import ApiClient

from scanning import kinds
from scanning.client import ClusterAccessError, list_all, list_pages
from scanning.kinds import Resource
from scanning.normalize import object_normalize, objects_group, warning_events
from stargate.lib.evidence import KubeObject

# Called after each page with the resource key and the number of objects read in it.
Progress = Callable[[str, int], None]


def _no_progress(key: str, count: int) -> None:
    return None


@dataclass
class Collected:
    """Normalized objects per kind per namespace, and how many raw objects were read.

    Objects are kept packed (orjson, then zlib: similar objects of a namespace compress ~10x)
    until their namespace's evidence is built: a whole cluster's objects as Python dicts would
    take gigabytes.
    """

    packed: dict[str, dict[str, list[bytes]]] = field(default_factory=dict)
    objects_read: int = 0
    missing_kinds: list[str] = field(default_factory=list)  # API not served (CRD absent)

    def add(self, kind: str, namespace: str, objects: list[KubeObject]) -> None:
        if objects:
            blob = zlib.compress(orjson.dumps(objects), 1)
            self.packed.setdefault(kind, {}).setdefault(namespace, []).append(blob)

    def objects_of(self, namespace: str) -> dict[str, list[KubeObject]]:
        """The namespace's objects per kind (events: the most recent warnings), released from
        the packed store as they are taken."""
        objects = {
            kind: [obj for blob in per_ns.pop(namespace, ()) for obj in _unpack(blob)]
            for kind, per_ns in self.packed.items()
        }
        if "events" in objects:
            objects["events"] = warning_events(objects["events"])
        return objects


def _unpack(blob: bytes) -> list[KubeObject]:
    objects: list[KubeObject] = orjson.loads(zlib.decompress(blob))
    return objects


def resource_collect(
    api: ApiClient,
    resource: Resource,
    namespaces: Container[str],
    collected: Collected,
    *,
    per_namespace: bool = False,
    progress: Progress = _no_progress,
) -> None:
    """Add one kind's objects in `namespaces` to `collected`; a kind the cluster does not serve
    (404: KubeVirt or KServe not installed) counts as empty."""
    collected.packed.setdefault(resource.key, {})
    if per_namespace:
        assert isinstance(namespaces, Collection)
        paths = [resource.path(ns) for ns in sorted(namespaces)]
    else:
        paths = [resource.path()]
    try:
        for path in paths:
            for page in list_pages(api, path):
                collected.objects_read += len(page)
                for namespace, items in objects_group(resource.key, page, namespaces).items():
                    collected.add(resource.key, namespace, items)
                progress(resource.key, len(page))
    except ClusterAccessError as exc:
        if exc.kind != "not_found":
            raise
        collected.missing_kinds.append(resource.key)


def startup_heap_freeze() -> None:
    """Once per process, before its first scan: move the long-lived heap (modules, classes,
    Django and the Kubernetes client) out of the garbage collector's reach. A scan allocates
    hundreds of thousands of short-lived dicts, each burst triggering full collections that
    would otherwise walk that whole heap again (measured: a fifth of a steady tier-3 scan)."""
    global _heap_frozen
    if not _heap_frozen:
        gc.collect()  # nothing cyclic and dead gets frozen with it
        gc.freeze()
        _heap_frozen = True


_heap_frozen = False


def evidence_collect(
    api: ApiClient,
    namespaces: Container[str],
    *,
    resources: Iterable[Resource] = kinds.EVIDENCE_RESOURCES,
    per_namespace: bool = False,
    progress: Progress = _no_progress,
) -> Collected:
    startup_heap_freeze()
    collected = Collected()
    for resource in resources:
        resource_collect(
            api, resource, namespaces, collected, per_namespace=per_namespace, progress=progress
        )
    return collected


def namespaces_collect(api: ApiClient) -> dict[str, KubeObject]:
    """Every namespace of the cluster, normalized, by name."""
    return {
        str(raw["metadata"]["name"]): object_normalize("namespaces", raw)
        for raw in list_all(api, kinds.NAMESPACES.path())
    }


def optional_list(api: ApiClient, resource: Resource) -> list[KubeObject]:
    """A cluster-wide list, empty when the API is not served (metrics, Poolboy)."""
    try:
        return list_all(api, resource.path())
    except ClusterAccessError as exc:
        if exc.kind == "not_found":
            return []
        raise
