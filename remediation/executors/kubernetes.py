from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from remediation.executors.base import ExecutionResult, Executor, api_execution_error
from scanning.client import api_call_retried, api_client_for, request_timeout

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
            raise api_execution_error(exc) from exc

    def _delete_pod(self, core: client.CoreV1Api) -> ExecutionResult:
        pod = self.param("pod")
        namespace, timeout = self.context.namespace, request_timeout()
        api_call_retried(
            lambda: core.delete_namespaced_pod(pod, namespace, _request_timeout=timeout)
        )
        return ExecutionResult(detail={"deleted_pod": pod, "namespace": self.context.namespace})

    def _rollout_restart(self, apps: client.AppsV1Api) -> ExecutionResult:
        name = self.param("deployment")
        stamp = timezone.now().isoformat()
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
        namespace, timeout = self.context.namespace, request_timeout()
        api_call_retried(
            lambda: apps.patch_namespaced_deployment(
                name, namespace, body, _request_timeout=timeout
            )
        )
        return ExecutionResult(detail={"restarted_deployment": name, "restarted_at": stamp})
