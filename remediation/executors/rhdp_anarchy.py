from __future__ import annotations

from dataclasses import dataclass

from remediation import conf
from remediation.executors.base import ExecutionError, ExecutionResult, Executor
from remediation.executors.custom import custom_object_merge_patch
from remediation.gates import namespace_allowed

GROUP, VERSION, PLURAL = "anarchy.gpte.redhat.com", "v1", "anarchysubjects"
DESIRED_STATES = frozenset({"started", "destroyed"})


@dataclass
class AnarchyExecutor(Executor):
    """Retry or destroy a lab by patching its AnarchySubject's spec.vars.desired_state."""

    checked_names = ("subject", "subject_namespace")

    def check(self) -> None:
        super().check()
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
