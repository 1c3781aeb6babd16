"""THE registry of the Kubernetes resources StarGate reads: group, version, plural, scope, which
scan tiers read each, and which the watcher streams.

Everything else derives from it: the scanner's lists (`EVIDENCE_RESOURCES`), the evidence keys
(`EVIDENCE_KINDS`), the watcher (`WATCHED`), and the read RBAC the chart grants (`read_rules`).
Add a kind here, and only here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

Tier = int  # 1 nodes and ingress, 2 changed namespaces, 3 every namespace, 4 pools


@dataclass(frozen=True)
class Resource:
    key: str  # NamespaceEvidence["objects"] key, or a cluster-level name
    group: str  # "" for the core API
    version: str
    plural: str
    namespaced: bool = True
    tiers: tuple[Tier, ...] = ()  # the scan tiers that read it
    watched: bool = False  # streamed by `watch_clusters` between scans
    evidence: bool = False  # collected per lab namespace into NamespaceEvidence["objects"]
    name: str = ""  # one named object read with GET (ingresses "cluster"), not a list
    # Objects per list page (None: `client.PAGE_SIZE`): fewer for kinds whose objects are
    # large, as a parsed page is what a scan's memory peaks on.
    page_size: int | None = None

    def path(self, namespace: str | None = None) -> str:
        base = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        if namespace and self.namespaced:
            return f"{base}/namespaces/{namespace}/{self.plural}"
        return f"{base}/{self.plural}/{self.name}" if self.name else f"{base}/{self.plural}"

    @property
    def verbs(self) -> tuple[str, ...]:
        """What the scanner does with it: the read RBAC it needs."""
        if self.name:
            return ("get",)
        return ("list", "watch") if self.watched else ("list",)


def _core(key: str, tiers: tuple[Tier, ...]) -> Resource:
    return Resource(key, "", "v1", key, namespaced=False, tiers=tiers)


def _evidence(
    key: str,
    group: str = "",
    version: str = "v1",
    *,
    watched: bool = False,
    page_size: int | None = None,
) -> Resource:
    return Resource(
        key, group, version, key, tiers=(2, 3), watched=watched, evidence=True, page_size=page_size
    )


NAMESPACES = _core("namespaces", tiers=(2, 3))
NODES = _core("nodes", tiers=(1,))
NODE_METRICS = Resource(
    "node_metrics", "metrics.k8s.io", "v1beta1", "nodes", namespaced=False, tiers=(1,)
)
INGRESS_CONFIG = Resource(
    "ingress_config", "config.openshift.io", "v1", "ingresses", False, (1,), name="cluster"
)
RESOURCE_POOLS = Resource(
    "resourcepools", "poolboy.gpte.redhat.com", "v1", "resourcepools", tiers=(4,)
)
PODS = _evidence("pods", watched=True)

# Tiers 2 and 3: one paged list each (cluster-wide, or per changed namespace), in this order.
EVIDENCE_RESOURCES: tuple[Resource, ...] = (
    PODS,
    _evidence("deployments", "apps"),
    _evidence("replicasets", "apps"),
    _evidence("statefulsets", "apps"),
    _evidence("services"),
    _evidence("endpoints"),
    _evidence("routes", "route.openshift.io"),
    _evidence("events"),  # recent Warning events only
    _evidence("persistentvolumeclaims"),
    _evidence("virtualmachines", "kubevirt.io"),
    _evidence("virtualmachineinstances", "kubevirt.io", watched=True),
    _evidence("datavolumes", "cdi.kubevirt.io", "v1beta1"),
    _evidence("inferenceservices", "serving.kserve.io", "v1beta1"),
    # A real subject is ~18 kB of JSON (job vars, Tower jobs): 250 of them parsed were the
    # steady scan's memory peak.
    _evidence("anarchysubjects", "anarchy.gpte.redhat.com", page_size=50),
)

RESOURCES: tuple[Resource, ...] = (
    NAMESPACES,
    NODES,
    NODE_METRICS,
    INGRESS_CONFIG,
    RESOURCE_POOLS,
    *EVIDENCE_RESOURCES,
)

# Keys of NamespaceEvidence["objects"], in the order the scanner collects them.
EVIDENCE_KINDS: tuple[str, ...] = tuple(r.key for r in EVIDENCE_RESOURCES)
WATCHED: tuple[Resource, ...] = tuple(r for r in RESOURCES if r.watched)


def read_by_tier(tier: Tier) -> tuple[Resource, ...]:
    return tuple(r for r in RESOURCES if tier in r.tiers)


def read_rules() -> list[dict[str, list[str]]]:
    """The scanner's read access as RBAC rules: one per API group and set of verbs, sorted
    for a stable chart."""
    plurals: dict[tuple[str, tuple[str, ...]], set[str]] = defaultdict(set)
    for resource in RESOURCES:
        plurals[(resource.group, resource.verbs)].add(resource.plural)
    return [
        {"apiGroups": [group], "resources": sorted(names), "verbs": list(verbs)}
        for (group, verbs), names in sorted(plurals.items())
    ]
