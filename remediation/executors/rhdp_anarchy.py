from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from remediation import conf
from remediation.executors.base import (
    ClusterAccess,
    ExecutionError,
    ExecutionResult,
    Executor,
    api_execution_error,
)
from remediation.executors.custom import custom_object_merge_patch
from remediation.gates import namespace_allowed
from scanning.client import api_call_retried, api_client_for, request_timeout
from stargate.lib.dns import is_dns_subdomain

GROUP, VERSION, PLURAL = "anarchy.gpte.redhat.com", "v1", "anarchysubjects"
DESIRED_STATES = frozenset({"started", "destroyed"})


@dataclass
class AnarchyExecutor(Executor):
    """Retry or destroy a lab by patching its AnarchySubject's spec.vars.desired_state."""

    checked_names = ("subject_namespace",)

    def check(self) -> None:
        super().check()
        if not is_dns_subdomain(self.param("subject")):
            raise ExecutionError("subject must be a DNS subdomain")
        subject_ns = self.param("subject_namespace")
        if not namespace_allowed(subject_ns, conf.anarchy_namespace_prefixes()):
            raise ExecutionError(f"AnarchySubject namespace {subject_ns!r} is not allow-listed")
        if self.context.parameters.get("desired_state") not in DESIRED_STATES:
            raise ExecutionError("desired_state must be started or destroyed")

    def run(self) -> ExecutionResult:
        state = self.param("desired_state")
        body = {"spec": {"vars": {"desired_state": state}}}
        subject = custom_object_merge_patch(
            self.context.cluster,
            GROUP,
            VERSION,
            self.param("subject_namespace"),
            PLURAL,
            self.param("subject"),
            body,
        )
        current = subject.get("spec", {}).get("vars", {}).get("current_state")
        return ExecutionResult(
            detail={"subject": self.param("subject"), "desired_state": state, "current": current}
        )


def anarchy_subject_find(cluster: ClusterAccess, lab_namespace: str) -> dict[str, Any] | None:
    """The AnarchySubject provisioning `lab_namespace`, searched in the allowed Anarchy namespaces.

    Subjects live outside the lab namespace (babylon-anarchy-*), so lab evidence lacks them.
    """
    prefixes = conf.anarchy_namespace_prefixes()
    try:
        with api_client_for(cluster) as api:
            objects, timeout = client.CustomObjectsApi(api), request_timeout()
            found = api_call_retried(
                lambda: objects.list_cluster_custom_object(
                    GROUP, VERSION, PLURAL, _request_timeout=timeout
                )
            )
    except ApiException as exc:
        raise api_execution_error(exc) from exc
    for subject in found.get("items", []):
        namespace = subject.get("metadata", {}).get("namespace", "")
        job_vars = subject.get("spec", {}).get("vars", {}).get("job_vars", {})
        if job_vars.get("sandbox_openshift_namespace") == lab_namespace and namespace_allowed(
            namespace, prefixes
        ):
            return dict(subject)
    return None
