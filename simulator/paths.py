"""Map a request path to the resource, namespace, name and subresource it addresses."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.kinds import Kind, kind_for_path


@dataclass(frozen=True)
class Target:
    kind: Kind
    namespace: str | None  # None: every namespace, or a cluster-scoped resource
    name: str | None
    subresource: str | None

    @property
    def store_namespace(self) -> str:
        return (self.namespace or "") if self.kind.namespaced else ""


def parse_path(path: str) -> Target | None:
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 3 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces" and kind_for_path(group, version, rest[2]):
        namespace, rest = rest[1], rest[2:]
    if not rest or len(rest) > 3:
        return None
    kind = kind_for_path(group, version, rest[0])
    if kind is None or (namespace is not None and not kind.namespaced):
        return None
    name = rest[1] if len(rest) > 1 else None
    if name is not None and kind.namespaced and namespace is None:
        return None
    return Target(kind, namespace, name, rest[2] if len(rest) > 2 else None)
