"""Discovery documents: /version, /api, /api/v1, /apis, /apis/<group>[/<version>]."""

from __future__ import annotations

from typing import Any

from simulator.kinds import Kind, group_versions, kinds_in

VERSION = {
    "major": "1",
    "minor": "33",
    "gitVersion": "v1.33.5-stargate-sim",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.24.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}

# Subresources served for these plurals (name suffix -> kind, group, version, verbs).
SUBRESOURCES: dict[str, list[tuple[str, str, str, str, list[str]]]] = {
    "deployments": [("scale", "Scale", "autoscaling", "v1", ["get", "patch", "update"])],
    "statefulsets": [("scale", "Scale", "autoscaling", "v1", ["get", "patch", "update"])],
    "pods": [("log", "Pod", "", "v1", ["get"])],
}


def api_versions(server_address: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def api_group(group: str) -> dict[str, Any] | None:
    versions = group_versions().get(group)
    if not group or not versions:
        return None
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": entries,
        "preferredVersion": entries[0],
    }


def api_group_list() -> dict[str, Any]:
    groups = [api_group(g) for g in group_versions() if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def _resource(kind: Kind) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": kind.plural,
        "singularName": kind.singular,
        "namespaced": kind.namespaced,
        "kind": kind.kind,
        "verbs": list(kind.verbs),
    }
    if kind.short_names:
        entry["shortNames"] = list(kind.short_names)
    return entry


def _subresources(kind: Kind) -> list[dict[str, Any]]:
    if kind.group == "metrics.k8s.io":
        return []
    entries = [
        {
            "name": f"{kind.plural}/{name}",
            "singularName": "",
            "namespaced": kind.namespaced,
            "kind": sub_kind,
            "group": group,
            "version": version,
            "verbs": verbs,
        }
        for name, sub_kind, group, version, verbs in SUBRESOURCES.get(kind.plural, [])
    ]
    entries.append(
        {
            "name": f"{kind.plural}/status",
            "singularName": "",
            "namespaced": kind.namespaced,
            "kind": kind.kind,
            "verbs": ["get", "patch", "update"],
        }
    )
    return entries


def resource_list(group: str, version: str) -> dict[str, Any] | None:
    kinds = kinds_in(group, version)
    if not kinds:
        return None
    resources = [entry for k in kinds for entry in [_resource(k), *_subresources(k)]]
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": resources,
    }
