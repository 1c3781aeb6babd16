from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kubernetes.client.exceptions import ApiException

from remediation.catalog import ActionDef
from remediation.gates import namespace_allowed
from scanning.client import api_retryable
from stargate.lib.dns import is_dns_label


class ExecutionError(Exception):
    def __init__(self, message: str, *, permanent: bool = True) -> None:
        super().__init__(message)
        self.permanent = permanent


def api_execution_error(exc: ApiException) -> ExecutionError:
    """A Kubernetes API refusal; a 429 or 5xx (still failing after `api_call_retried`'s
    retries) is marked not permanent: the same action may succeed later."""
    return ExecutionError(
        f"Kubernetes API {exc.status}: {exc.reason}", permanent=not api_retryable(exc)
    )


@dataclass(frozen=True)
class ClusterAccess:
    """How to reach a cluster's API: the Cluster row's connection fields, nothing else."""

    name: str
    api_url: str
    kubeconfig_path: str = ""
    token_file: str = ""
    ca_bundle_path: str = ""
    verify_tls: bool = True


@dataclass(frozen=True)
class ExecutionContext:
    action: ActionDef
    parameters: dict[str, str | int]  # the action's fixed values and the validated parameters
    namespace: str
    cluster: ClusterAccess
    allowed_prefixes: Sequence[str]
    sandbox_api_url: str = ""
    sandbox_api_token: str = ""


@dataclass(frozen=True)
class ExecutionResult:
    detail: dict[str, Any]
    undo: dict[str, Any] | None = None  # what rollback needs, for undoable actions


@dataclass
class Executor:
    """Base class. Subclasses implement `run`; `execute` checks the context first."""

    context: ExecutionContext
    checked_names: tuple[str, ...] = field(default=())

    def execute(self) -> ExecutionResult:
        self.check()
        return self.run()

    def check(self) -> None:
        if not namespace_allowed(self.context.namespace, self.context.allowed_prefixes):
            raise ExecutionError(f"namespace {self.context.namespace!r} is not allow-listed")
        for name in self.checked_names:
            value = self.context.parameters.get(name)
            if not is_dns_label(value):
                raise ExecutionError(f"{name}={value!r} is not a DNS label")

    def run(self) -> ExecutionResult:
        raise NotImplementedError

    def rollback(self, undo: dict[str, Any]) -> dict[str, Any]:
        raise ExecutionError(f"{self.context.action.id} cannot be undone")

    def param(self, name: str) -> str:
        return str(self.context.parameters[name])
