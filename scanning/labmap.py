"""Namespaces → LabInstances, in bulk: one query for the known ones, an upsert per new one."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from labs.models import Cluster, LabInstance
from labs.naming import LabName, parse_lab_namespace
from labs.services import lab_instances_upsert


def lab_name_of(namespace: str) -> LabName | None:
    """The lab a namespace belongs to: a lab pattern, or a watched platform namespace."""
    parsed = parse_lab_namespace(namespace)
    if parsed is None and namespace in settings.WATCHED_NAMESPACES:
        return LabName(namespace=namespace, guid="", catalog_item=namespace)
    return parsed


def lab_namespaces(namespaces: Iterable[str]) -> dict[str, LabName]:
    names = {ns: lab_name_of(ns) for ns in namespaces}
    return {ns: name for ns, name in names.items() if name is not None}


def lab_instances_map(*, cluster: Cluster, lab_names: dict[str, LabName]) -> dict[str, LabInstance]:
    """The LabInstance of each lab namespace, created (with its Lab) on first sight, and brought
    back when a namespace of a torn-down lab reappears."""
    known = {
        li.namespace: li
        for li in LabInstance.objects.filter(
            cluster=cluster, namespace__in=list(lab_names)
        ).select_related("lab")
    }
    missing = [
        lab_name
        for namespace, lab_name in lab_names.items()
        if namespace not in known or known[namespace].deleted_at is not None
    ]
    if missing:
        known.update(lab_instances_upsert(cluster=cluster, lab_names=missing))
    return known


class LabNamespaceFilter:
    """`namespace in filter`: whether a namespace is a lab's, remembered per name. Lets a
    cluster-wide list keep lab objects even where no Namespace object was listed."""

    def __init__(self) -> None:
        self.seen: dict[str, LabName | None] = {}

    def __contains__(self, namespace: object) -> bool:
        name = str(namespace)
        if name not in self.seen:
            self.seen[name] = lab_name_of(name)
        return self.seen[name] is not None

    def lab_names(self) -> dict[str, LabName]:
        return {ns: name for ns, name in self.seen.items() if name is not None}
