from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from remediation import conf
from remediation.executors.base import ExecutionError, ExecutionResult, Executor
from remediation.executors.custom import custom_object_get, custom_object_merge_patch
from stargate.lib.dns import is_dns_subdomain

GROUP, VERSION, PLURAL = "poolboy.gpte.redhat.com", "v1", "resourcepools"


@dataclass
class PoolboyExecutor(Executor):
    """Scale a ResourcePool by patching spec.minAvailable; undoable to the previous value."""

    # Pool names are DNS subdomains (`clusterplatform.ocp4-aws.prod`): checked below.
    checked_names = ("pool_namespace",)

    def check(self) -> None:
        super().check()
        if not is_dns_subdomain(self.context.parameters.get("pool")):
            raise ExecutionError(f"pool={self.context.parameters.get('pool')!r} is not a DNS name")
        if self.param("pool_namespace") not in conf.poolboy_namespaces():
            raise ExecutionError(f"pool namespace {self.param('pool_namespace')!r} not allowed")
        value = self.context.parameters.get("min_available")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ExecutionError("min_available must be a non-negative integer")

    def _where(self) -> tuple[str, str, str, str, str]:
        return (GROUP, VERSION, self.param("pool_namespace"), PLURAL, self.param("pool"))

    def run(self) -> ExecutionResult:
        cluster = self.context.cluster
        before = custom_object_get(cluster, *self._where()).get("spec", {}).get("minAvailable")
        wanted = self.context.parameters["min_available"]
        custom_object_merge_patch(cluster, *self._where(), {"spec": {"minAvailable": wanted}})
        return ExecutionResult(
            detail={"pool": self.param("pool"), "min_available": wanted, "previous": before},
            undo={"min_available": before},
        )

    def rollback(self, undo: dict[str, Any]) -> dict[str, Any]:
        self.check()
        body = {"spec": {"minAvailable": undo["min_available"]}}
        custom_object_merge_patch(self.context.cluster, *self._where(), body)
        return {"restored_min_available": undo["min_available"]}
