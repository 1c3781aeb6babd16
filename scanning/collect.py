"""Reading a cluster: each kind as one cluster-wide paged list, normalized page by page so a
whole cluster's raw JSON is never held in memory at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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
    """Normalized objects per kind per namespace, and how many raw objects were read."""

    objects: dict[str, dict[str, list[KubeObject]]] = field(default_factory=dict)
    objects_read: int = 0
    missing_kinds: list[str] = field(default_factory=list)  # API not served (CRD absent)


def resource_collect(
    api: ApiClient,
    resource: Resource,
    namespaces: set[str],
    collected: Collected,
    *,
    per_namespace: bool = False,
    progress: Progress = _no_progress,
) -> None:
    """Add one kind's objects in `namespaces` to `collected`; a kind the cluster does not serve
    (404: KubeVirt or KServe not installed) counts as empty."""
    target = collected.objects.setdefault(resource.key, {})
    paths = [resource.path(ns) for ns in sorted(namespaces)] if per_namespace else [resource.path()]
    try:
        for path in paths:
            for page in list_pages(api, path):
                collected.objects_read += len(page)
                for namespace, items in objects_group(resource.key, page, namespaces).items():
                    target.setdefault(namespace, []).extend(items)
                progress(resource.key, len(page))
    except ClusterAccessError as exc:
        if exc.kind != "not_found":
            raise
        collected.missing_kinds.append(resource.key)


def evidence_collect(
    api: ApiClient,
    namespaces: set[str],
    *,
    resources: Iterable[Resource] = kinds.EVIDENCE_RESOURCES,
    per_namespace: bool = False,
    progress: Progress = _no_progress,
) -> Collected:
    collected = Collected()
    for resource in resources:
        resource_collect(
            api, resource, namespaces, collected, per_namespace=per_namespace, progress=progress
        )
    if "events" in collected.objects:
        # Pages arrive unsorted: keep each namespace's most recent warnings across all pages.
        collected.objects["events"] = {
            ns: warning_events(events) for ns, events in collected.objects["events"].items()
        }
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
