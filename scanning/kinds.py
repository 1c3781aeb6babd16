"""The resources the scanner lists, and the API path of each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    key: str  # NamespaceEvidence["objects"] key, or a cluster-level name
    group: str  # "" for the core API
    version: str
    plural: str
    namespaced: bool = True

    def path(self, namespace: str | None = None) -> str:
        base = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        if namespace and self.namespaced:
            return f"{base}/namespaces/{namespace}/{self.plural}"
        return f"{base}/{self.plural}"


def _core(key: str, plural: str | None = None, namespaced: bool = True) -> Resource:
    return Resource(key, "", "v1", plural or key, namespaced)


NAMESPACES = _core("namespaces", namespaced=False)
NODES = _core("nodes", namespaced=False)
NODE_METRICS = Resource("node_metrics", "metrics.k8s.io", "v1beta1", "nodes", namespaced=False)
PODS = _core("pods")
RESOURCE_POOLS = Resource("resourcepools", "poolboy.gpte.redhat.com", "v1", "resourcepools")

# Tier 3: one cluster-wide paged list each, in EVIDENCE_KINDS order.
EVIDENCE_RESOURCES: tuple[Resource, ...] = (
    PODS,
    Resource("deployments", "apps", "v1", "deployments"),
    Resource("replicasets", "apps", "v1", "replicasets"),
    Resource("statefulsets", "apps", "v1", "statefulsets"),
    _core("services"),
    _core("endpoints"),
    Resource("routes", "route.openshift.io", "v1", "routes"),
    _core("events"),
    _core("persistentvolumeclaims"),
    Resource("virtualmachines", "kubevirt.io", "v1", "virtualmachines"),
    Resource("virtualmachineinstances", "kubevirt.io", "v1", "virtualmachineinstances"),
    Resource("datavolumes", "cdi.kubevirt.io", "v1beta1", "datavolumes"),
    Resource("inferenceservices", "serving.kserve.io", "v1beta1", "inferenceservices"),
    Resource("anarchysubjects", "anarchy.gpte.redhat.com", "v1", "anarchysubjects"),
)
