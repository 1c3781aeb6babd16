"""One namespace's evidence, with each object's health computed at most once per evaluation."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from stargate.lib.evidence import KubeObject, NamespaceEvidence

from .semantics.common import ObjectHealth, name_of
from .semantics.deployments import selector_matches
from .semantics.pods import owner_kinds, pod_health, pod_role

SMOKE_TEST_LABEL = "stargate.io/smoke-test"


class Facts:
    """Lazy views over a `NamespaceEvidence`; checks share them within one evaluation."""

    def __init__(self, evidence: NamespaceEvidence, now: datetime) -> None:
        self.evidence = evidence
        self.now = now
        self.objects = evidence.get("objects") or {}

    def collected(self, kind: str) -> bool:
        return kind in self.objects

    def items(self, kind: str) -> list[KubeObject]:
        return self.objects.get(kind) or []

    @cached_property
    def workload_nodes(self) -> frozenset[str] | None:
        """The nodes the lab's pods and VMIs run on; None when neither kind was collected."""
        if not (self.collected("pods") or self.collected("virtualmachineinstances")):
            return None
        pods = (pod.get("spec", {}).get("nodeName") for pod in self.items("pods"))
        vmis = (
            vmi.get("status", {}).get("nodeName") for vmi in self.items("virtualmachineinstances")
        )
        return frozenset(node for node in (*pods, *vmis) if node)

    @cached_property
    def pod_healths(self) -> dict[str, ObjectHealth]:
        return {name_of(pod): pod_health(pod, self.now) for pod in self.items("pods")}

    @cached_property
    def pods_by_role(self) -> dict[str, list[KubeObject]]:
        roles: dict[str, list[KubeObject]] = {}
        for pod in self.items("pods"):
            roles.setdefault(pod_role(pod), []).append(pod)
        return roles

    def owned_pods(self, owner: KubeObject) -> list[KubeObject]:
        return [
            pod for pod in self.pods_by_role.get("workload", ()) if selector_matches(owner, pod)
        ]

    @cached_property
    def launcher_pods(self) -> dict[str, list[KubeObject]]:
        """virt-launcher pods by the VM they run (the VMI shares the VM's name)."""
        by_vm: dict[str, list[KubeObject]] = {}
        for pod in self.pods_by_role.get("vm", ()):
            labels = pod.get("metadata", {}).get("labels") or {}
            vm = labels.get("vm.kubevirt.io/name") or owner_kinds(pod).get("VirtualMachineInstance")
            if vm:
                by_vm.setdefault(str(vm), []).append(pod)
        return by_vm

    @cached_property
    def unclaimed_workload_pods(self) -> list[KubeObject]:
        owners = self.items("deployments") + self.items("statefulsets")
        return [
            pod
            for pod in self.pods_by_role.get("workload", ())
            if not any(selector_matches(owner, pod) for owner in owners)
        ]

    @cached_property
    def smoke_test_pods(self) -> list[KubeObject]:
        return [
            pod
            for pod in self.items("pods")
            if SMOKE_TEST_LABEL in (pod.get("metadata", {}).get("labels") or {})
            or name_of(pod).startswith("smoke-test")
        ]

    @cached_property
    def present(self) -> frozenset[str]:
        """What `applies_to.any_present` can name."""
        found = {kind for kind, objects in self.objects.items() if objects}
        if self.evidence.get("namespace_object"):
            found.add("namespace")
        if self.evidence.get("showroom"):
            found.add("showroom")
        if self.evidence.get("cluster_health"):
            found.add("cluster_health")
        if self.smoke_test_pods or self.evidence.get("smoke_results"):
            found.add("smoke_tests")
        return frozenset(found)
