"""Reading a cluster: each kind as one cluster-wide paged list, normalized page by page so a
whole cluster's raw JSON is never held in memory at once."""

from __future__ import annotations

import gc
import hashlib
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Collection, Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import orjson
from kubernetes.client import ApiClient

from scanning import kinds
from scanning.client import PAGE_SIZE, ClusterAccessError, list_all, list_pages
from scanning.kinds import Resource
from scanning.normalize import namespace_of, object_normalize, objects_group, warning_events
from stargate.lib.evidence import KubeObject

LINK_FIELD = "sandbox_openshift_namespace"

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
            self.add_packed(kind, namespace, pack(objects))

    def add_packed(self, kind: str, namespace: str, blob: bytes) -> None:
        self.packed.setdefault(kind, {}).setdefault(namespace, []).append(blob)

    def namespaces_of(self, kind: str) -> set[str]:
        return set(self.packed.get(kind, {}))

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


def pack(objects: list[KubeObject]) -> bytes:
    return zlib.compress(orjson.dumps(objects), 1)


def _unpack(blob: bytes) -> list[KubeObject]:
    objects: list[KubeObject] = orjson.loads(zlib.decompress(blob))
    return objects


class NormalizedCache:
    """The packed, normalized form of a namespace's raw objects of one kind, by a digest of
    those raw objects' bytes: a steady scan, where most namespaces did not change since the
    last one, neither trims, redacts nor compresses them again.

    Normalizing is a pure function of the raw objects (the projections and redaction rules are
    fixed for the life of the process), so equal bytes give the same blob. Bounded by the bytes
    of the blobs it holds (least recently used first out); blobs are compressed, about 150
    bytes per object, so the default bound holds a few hundred thousand objects."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._blobs: OrderedDict[tuple[str, str, bytes], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def packed(self, kind: str, namespace: str, raws: list[KubeObject]) -> bytes:
        """The packed normalized objects of `raws` (all of `namespace`), b"" if none is kept."""
        key = (kind, namespace, hashlib.blake2b(orjson.dumps(raws), digest_size=16).digest())
        with self._lock:  # clusters are scanned in parallel threads (scan_all)
            blob = self._blobs.get(key)
            if blob is not None:
                self._blobs.move_to_end(key)
                return blob
        objects = objects_group(kind, raws).get(namespace, [])
        blob = pack(objects) if objects else b""
        with self._lock:
            if key not in self._blobs:
                self._blobs[key] = blob
                self.size += len(blob)
            while self.size > self.max_bytes and self._blobs:
                _, dropped = self._blobs.popitem(last=False)
                self.size -= len(dropped)
        return blob

    def clear(self) -> None:
        with self._lock:
            self._blobs.clear()
            self.size = 0


NORMALIZED_CACHE = NormalizedCache(max_bytes=64 * 1024 * 1024)


def _page_pack(
    kind: str, page: list[KubeObject], namespaces: Container[str], collected: Collected
) -> None:
    """Group a page's objects per wanted namespace and add each group's packed, normalized
    form, from the cache when the group's raw bytes were seen before."""
    raw_groups: dict[str, list[KubeObject]] = {}
    if kind == "events":  # only warnings are kept: the others need no digest either
        page = [raw for raw in page if raw.get("type") == "Warning"]
    for raw in page:
        namespace = namespace_of(raw)
        if namespace in namespaces:
            raw_groups.setdefault(namespace, []).append(raw)
    for namespace, raws in raw_groups.items():
        blob = NORMALIZED_CACHE.packed(kind, namespace, raws)
        if blob:
            collected.add_packed(kind, namespace, blob)


# Each page of a run of lists, with its resource; (resource, None) for a kind not served.
ResourcePages = Iterator[tuple[Resource, list[KubeObject] | None]]


def resources_pages(
    api: ApiClient,
    resources: Iterable[Resource],
    namespaces: Container[str],
    *,
    per_namespace: bool = False,
) -> ResourcePages:
    """The pages of each resource's lists in `namespaces`, resource after resource; a kind the
    cluster does not serve (404: KubeVirt or KServe not installed) gives one None instead."""
    for resource in resources:
        try:
            for path in _paths(resource, namespaces, per_namespace=per_namespace):
                pages = list_pages(
                    api, path, limit=resource.page_size or PAGE_SIZE, read_ahead=True
                )
                for page in pages:
                    yield resource, page
                    del page  # freed before the next page is read (`list_pages`)
        except ClusterAccessError as exc:
            if exc.kind != "not_found":
                raise
            yield resource, None


def _paths(resource: Resource, namespaces: Container[str], *, per_namespace: bool) -> list[str]:
    # AnarchySubjects live in babylon-anarchy-* namespaces: always one cluster-wide list, each
    # subject attached to the lab namespace it points at.
    if per_namespace and resource.key != "anarchysubjects":
        assert isinstance(namespaces, Collection)
        return [resource.path(ns) for ns in sorted(namespaces)]
    return [resource.path()]


def page_add(
    resource: Resource, page: list[KubeObject], namespaces: Container[str], collected: Collected
) -> None:
    """Add one page of a kind's objects in `namespaces` to `collected`."""
    collected.objects_read += len(page)
    if resource.key == "anarchysubjects":
        # Linked across namespaces: not cached per namespace.
        for namespace, items in subjects_link(resource.key, page, namespaces).items():
            collected.add(resource.key, namespace, items)
    else:
        _page_pack(resource.key, page, namespaces, collected)


def subjects_link(
    kind: str, raws: Iterable[KubeObject], namespaces: Container[str]
) -> dict[str, list[KubeObject]]:
    """AnarchySubjects per lab namespace they point at (`spec.vars.job_vars.
    sandbox_openshift_namespace`). The link is read before normalizing drops `job_vars` (which
    hold credentials) and is all of `job_vars` put back."""
    linked: dict[str, list[KubeObject]] = {}
    for raw in raws:
        link = subject_lab_namespace(raw)
        if link in namespaces:
            subject = object_normalize(kind, raw)
            subject.setdefault("spec", {}).setdefault("vars", {})["job_vars"] = {LINK_FIELD: link}
            linked.setdefault(link, []).append(subject)
    return linked


def subject_lab_namespace(raw: KubeObject) -> str:
    """The lab namespace a subject points at; its own namespace when it points nowhere."""
    job_vars = ((raw.get("spec") or {}).get("vars") or {}).get("job_vars") or {}
    link = job_vars.get(LINK_FIELD) if isinstance(job_vars, dict) else None
    return str(link or namespace_of(raw))


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic garbage collection inside: a scan's hundreds of thousands of parsed dicts
    are acyclic and freed by reference counting, yet each burst of them triggers collections.
    The few cycles made meanwhile are collected when it ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


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
    """The objects of `resources` in `namespaces`, normalized and packed. The next page of a
    list is read while the current one is packed (`client.list_pages`, `read_ahead`)."""
    startup_heap_freeze()
    collected = Collected()
    pages = resources_pages(api, resources, namespaces, per_namespace=per_namespace)
    with gc_paused():
        for resource, page in pages:
            collected.packed.setdefault(resource.key, {})
            if page is None:
                collected.missing_kinds.append(resource.key)
                continue
            page_add(resource, page, namespaces, collected)
            progress(resource.key, len(page))
            del page  # freed before the next page is parsed (`list_pages`)
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
