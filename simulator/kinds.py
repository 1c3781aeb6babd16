"""The API resources the simulator serves: group, version, plural, kind, scope, verbs."""

from __future__ import annotations

from dataclasses import dataclass

ALL_VERBS = ("create", "delete", "get", "list", "patch", "update", "watch")
READ_VERBS = ("get", "list")


@dataclass(frozen=True)
class Kind:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ALL_VERBS

    @property
    def key(self) -> str:
        """Where the store files objects of this resource (all versions of a group share it)."""
        return f"{self.group}/{self.plural}"

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()


KINDS: tuple[Kind, ...] = (
    Kind("", "v1", "namespaces", "Namespace", False, ("ns",)),
    Kind("", "v1", "nodes", "Node", False, ("no",)),
    Kind("", "v1", "pods", "Pod", True, ("po",)),
    Kind("", "v1", "services", "Service", True, ("svc",)),
    Kind("", "v1", "endpoints", "Endpoints", True, ("ep",)),
    Kind("", "v1", "events", "Event", True, ("ev",)),
    Kind("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ("pvc",)),
    Kind("", "v1", "configmaps", "ConfigMap", True, ("cm",)),
    Kind("apps", "v1", "deployments", "Deployment", True, ("deploy",)),
    Kind("apps", "v1", "replicasets", "ReplicaSet", True, ("rs",)),
    Kind("apps", "v1", "statefulsets", "StatefulSet", True, ("sts",)),
    Kind("route.openshift.io", "v1", "routes", "Route", True),
    Kind("kubevirt.io", "v1", "virtualmachines", "VirtualMachine", True, ("vm", "vms")),
    Kind("kubevirt.io", "v1", "virtualmachineinstances", "VirtualMachineInstance", True, ("vmi",)),
    Kind("cdi.kubevirt.io", "v1beta1", "datavolumes", "DataVolume", True, ("dv",)),
    Kind("serving.kserve.io", "v1beta1", "inferenceservices", "InferenceService", True, ("isvc",)),
    Kind("serving.kserve.io", "v1alpha1", "servingruntimes", "ServingRuntime", True),
    Kind("anarchy.gpte.redhat.com", "v1", "anarchysubjects", "AnarchySubject", True),
    Kind("poolboy.gpte.redhat.com", "v1", "resourcepools", "ResourcePool", True),
    Kind("poolboy.gpte.redhat.com", "v1", "resourcehandles", "ResourceHandle", True),
    Kind("poolboy.gpte.redhat.com", "v1", "resourceclaims", "ResourceClaim", True),
    Kind("babylon.gpte.redhat.com", "v1", "catalogitems", "CatalogItem", True),
    Kind("babylon.gpte.redhat.com", "v1", "workshops", "Workshop", True),
    Kind("babylon.gpte.redhat.com", "v1", "multiworkshops", "MultiWorkshop", True),
    Kind("config.openshift.io", "v1", "ingresses", "Ingress", False, verbs=READ_VERBS),
    Kind("config.openshift.io", "v1", "clusterversions", "ClusterVersion", False, verbs=READ_VERBS),
    Kind("operators.coreos.com", "v1alpha1", "subscriptions", "Subscription", True, ("sub",)),
    Kind("metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", False, verbs=READ_VERBS),
    Kind("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", True, verbs=READ_VERBS),
)

_BY_PATH = {(k.group, k.version, k.plural): k for k in KINDS}
_BY_API_KIND = {(k.api_version, k.kind): k for k in KINDS}


def kind_for_path(group: str, version: str, plural: str) -> Kind | None:
    return _BY_PATH.get((group, version, plural))


def kind_for_object(obj: dict[str, object]) -> Kind | None:
    """The resource an object belongs to, from its apiVersion and kind."""
    return _BY_API_KIND.get((str(obj.get("apiVersion", "")), str(obj.get("kind", ""))))


def group_versions() -> dict[str, list[str]]:
    """Each API group (core is "") and its versions, in declaration order."""
    groups: dict[str, list[str]] = {}
    for k in KINDS:
        versions = groups.setdefault(k.group, [])
        if k.version not in versions:
            versions.append(k.version)
    return groups


def kinds_in(group: str, version: str) -> list[Kind]:
    return [k for k in KINDS if k.group == group and k.version == version]
