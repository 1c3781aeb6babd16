from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from remediation.executors.base import ExecutionError, ExecutionResult, Executor
from scanning.client import api_client_for, request_timeout

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


@dataclass
class KubernetesExecutor(Executor):
    """Pods and deployments in the lab namespace, through the official client."""

    def check(self) -> None:
        operation = self.context.action.operation
        self.checked_names = ("pod",) if operation == "delete_pod" else ("deployment",)
        super().check()

    def run(self) -> ExecutionResult:
        operation = self.context.action.operation
        try:
            with api_client_for(self.context.cluster) as api:
                if operation == "delete_pod":
                    return self._delete_pod(client.CoreV1Api(api))
                return self._rollout_restart(client.AppsV1Api(api))
        except ApiException as exc:
            raise ExecutionError(f"Kubernetes API {exc.status}: {exc.reason}") from exc

    def _delete_pod(self, core: client.CoreV1Api) -> ExecutionResult:
        pod = self.param("pod")
        core.delete_namespaced_pod(pod, self.context.namespace, _request_timeout=request_timeout())
        return ExecutionResult(detail={"deleted_pod": pod, "namespace": self.context.namespace})

    def _rollout_restart(self, apps: client.AppsV1Api) -> ExecutionResult:
        name = self.param("deployment")
        stamp = timezone.now().isoformat()
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        apps.patch_namespaced_deployment(
            name, self.context.namespace, body, _request_timeout=request_timeout()
        )
        return ExecutionResult(detail={"restarted_deployment": name, "restarted_at": stamp})
