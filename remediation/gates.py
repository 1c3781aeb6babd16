"""Remediation gates: pure functions that decide whether an action runs, queues or only recommends.

No ORM here. Each gate returns a `GateResult` with its reason; `decide` runs all of them and keeps
every reason in the `Decision`, which the service stores on the request and in the audit log.
The rate-limit gate judges a slot the database already claimed (see services.rate_slot_claim).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from remediation.catalog import ActionDef, Risk
from stargate.lib.dns import is_dns_label

# Whatever the configuration says, these are never acted in.
SYSTEM_PREFIXES = ("openshift", "kube")  # stricter than openshift-* and kube-*: no look-alikes
SYSTEM_NAMESPACES = frozenset({"default"})
UNKNOWN_STATE = "unknown"  # the subject could not be read
TRANSITIONAL_ANARCHY_STATES = frozenset(
    {
        "new",
        "provision-pending",
        "provisioning",
        "start-pending",
        "starting",
        "stop-pending",
        "stopping",
        "destroy-pending",
        "destroying",
    }
)
# States a subject rests in; any other name (a newer Babylon, a typo) is judged by a human.
SETTLED_ANARCHY_STATES = frozenset(
    {
        "started",
        "stopped",
        "destroyed",
        "provision-failed",
        "provision-canceled",
        "start-failed",
        "stop-failed",
        "destroy-failed",
    }
)
# A human approval answers only the gates that exist to ask one; every other gate still holds.
OVERRIDABLE_BY_APPROVAL = frozenset({"risk", "confidence", "rate_limit", "incident"})


class FailureCheck(enum.StrEnum):
    """Whether the failure behind a request is still the lab's, judged on its stored verdicts."""

    UNCHECKED = "unchecked"  # when the request is made: the verdict is the one that made it
    NO_VERDICT = "no_verdict"  # the lab has never been evaluated
    CURRENT = "current"
    CLEARED = "cleared"
    UNCONFIRMABLE = "unconfirmable"  # the cluster is unreachable or the lab's verdicts are stale


class Outcome(enum.IntEnum):
    """Ordered from most to least permissive: the decision is the worst gate's outcome."""

    EXECUTE = 0
    APPROVAL = 1
    RECOMMEND = 2
    REFUSE = 3
    OBSOLETE = 4  # the failure cleared: nothing to do any more


@dataclass(frozen=True)
class GateResult:
    gate: str
    outcome: Outcome
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"gate": self.gate, "outcome": self.outcome.name.lower(), "reason": self.reason}


@dataclass(frozen=True)
class GateInput:
    """Everything the gates look at, gathered by the service before deciding."""

    action: ActionDef
    namespace: str
    allowed_prefixes: Sequence[str]
    execution_mode: str  # Lab.ExecutionMode value
    failure_class: str
    confirmed: bool = True  # False: the classification was proposed, not confirmed (LLM)
    anarchy_state: str | None = None
    session_running: bool = False
    cluster_reachable: bool = True
    lab_stale: bool = False
    rate_slot: bool | None = None  # None: not claimed (not needed); False: over the limit
    action_enabled: bool = True
    paused: str = ""  # why remediation is paused here (switch or maintenance window); "" if not
    failure_check: FailureCheck = FailureCheck.UNCHECKED
    incident: int | None = None  # the open incident the lab is a member of (incidents app)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    results: tuple[GateResult, ...] = field(default_factory=tuple)

    @property
    def reasons(self) -> list[dict[str, str]]:
        return [result.as_dict() for result in self.results]

    @property
    def summary(self) -> str:
        blocking = [r for r in self.results if r.outcome == self.outcome and r.outcome]
        return "; ".join(r.reason for r in blocking) or "all gates passed"


def namespace_allowed(namespace: str, allowed_prefixes: Sequence[str]) -> bool:
    if not is_dns_label(namespace) or namespace in SYSTEM_NAMESPACES:
        return False
    if namespace.startswith(SYSTEM_PREFIXES):
        return False
    return any(prefix and namespace.startswith(prefix) for prefix in allowed_prefixes)


def gate_paused(data: GateInput) -> GateResult:
    if data.paused:
        return GateResult("paused", Outcome.REFUSE, data.paused)
    return GateResult("paused", Outcome.EXECUTE, "remediation is not paused")


def gate_enabled(data: GateInput) -> GateResult:
    if data.action_enabled:
        return GateResult("enabled", Outcome.EXECUTE, f"{data.action.id} is enabled")
    return GateResult("enabled", Outcome.REFUSE, f"{data.action.id} is disabled")


def gate_namespace(data: GateInput) -> GateResult:
    if namespace_allowed(data.namespace, data.allowed_prefixes):
        return GateResult("namespace", Outcome.EXECUTE, f"{data.namespace} is allow-listed")
    return GateResult(
        "namespace",
        Outcome.REFUSE,
        f"{data.namespace!r} is not in the allow-list (or a system one)",
    )


def gate_failure_class(data: GateInput) -> GateResult:
    if data.failure_class in data.action.allowed_when:
        return GateResult("failure_class", Outcome.EXECUTE, f"allowed for {data.failure_class}")
    return GateResult(
        "failure_class", Outcome.REFUSE, f"{data.action.id} is not allowed for {data.failure_class}"
    )


_FAILURE_CHECKS = {
    FailureCheck.UNCHECKED: (Outcome.EXECUTE, "judged on the evidence behind the request"),
    FailureCheck.NO_VERDICT: (Outcome.EXECUTE, "no stored verdict for the lab yet"),
    FailureCheck.CURRENT: (Outcome.EXECUTE, "the lab still fails with {cls}"),
    FailureCheck.CLEARED: (Outcome.OBSOLETE, "the lab no longer fails with {cls}: obsolete"),
    FailureCheck.UNCONFIRMABLE: (
        Outcome.REFUSE,
        "the lab's verdicts are stale or its cluster unreachable: {cls} cannot be confirmed",
    ),
}


def gate_failure_current(data: GateInput) -> GateResult:
    outcome, reason = _FAILURE_CHECKS[data.failure_check]
    return GateResult("failure_current", outcome, reason.format(cls=data.failure_class))


def gate_execution_mode(data: GateInput) -> GateResult:
    if data.action.diagnostic:
        return GateResult("execution_mode", Outcome.RECOMMEND, "diagnostic action: recommend only")
    if data.execution_mode == "recommend_only":
        return GateResult("execution_mode", Outcome.RECOMMEND, "the lab is recommend_only")
    if data.execution_mode in {"low_risk_auto", "full_auto"}:
        return GateResult("execution_mode", Outcome.EXECUTE, f"the lab is {data.execution_mode}")
    return GateResult(
        "execution_mode", Outcome.RECOMMEND, f"unknown mode {data.execution_mode!r}: recommend"
    )


def gate_risk(data: GateInput) -> GateResult:
    risk = data.action.risk
    auto = {"low_risk_auto": {Risk.LOW}, "full_auto": {Risk.LOW, Risk.MEDIUM}}
    if data.action.requires_approval:
        return GateResult("risk", Outcome.APPROVAL, f"{data.action.id} always requires approval")
    if risk in auto.get(data.execution_mode, set()):
        return GateResult(
            "risk", Outcome.EXECUTE, f"{risk.value} risk runs in {data.execution_mode}"
        )
    return GateResult("risk", Outcome.APPROVAL, f"{risk.value} risk needs approval here")


def gate_confidence(data: GateInput) -> GateResult:
    if data.confirmed:
        return GateResult("confidence", Outcome.EXECUTE, "classification confirmed")
    return GateResult("confidence", Outcome.APPROVAL, "unconfirmed classification: approval")


def gate_preflight(data: GateInput) -> GateResult:
    """Refusals first, so an unreadable subject never hides a session or an unreachable cluster."""
    forbidden = set(data.action.forbidden_when)
    state = data.anarchy_state
    if state in TRANSITIONAL_ANARCHY_STATES:
        return GateResult("preflight", Outcome.REFUSE, f"AnarchySubject is {state}")
    if data.session_running and ("session_running" in forbidden or not data.action.session_safe):
        return GateResult("preflight", Outcome.REFUSE, "a session is running: not session-safe")
    if not data.cluster_reachable and "cluster_unreachable" in forbidden:
        return GateResult("preflight", Outcome.REFUSE, "the cluster is unreachable")
    if data.lab_stale and "lab_stale" in forbidden:
        return GateResult("preflight", Outcome.REFUSE, "the lab's evidence is stale")
    if state == UNKNOWN_STATE:
        return GateResult("preflight", Outcome.APPROVAL, "AnarchySubject state unknown: approval")
    if state is not None and state not in SETTLED_ANARCHY_STATES:
        return GateResult(
            "preflight", Outcome.APPROVAL, f"AnarchySubject state {state!r} not known: approval"
        )
    return GateResult("preflight", Outcome.EXECUTE, "pre-flight checks passed")


def gate_rate_limit(data: GateInput) -> GateResult:
    if data.rate_slot is False:
        return GateResult("rate_limit", Outcome.APPROVAL, "hourly action limit reached: approval")
    return GateResult("rate_limit", Outcome.EXECUTE, "within the hourly limits")


def gate_incident(data: GateInput) -> GateResult:
    """A lab in an open incident shares its cause: a human decides, with the incident in view."""
    if data.incident is not None:
        return GateResult("incident", Outcome.APPROVAL, f"part of incident {data.incident}")
    return GateResult("incident", Outcome.EXECUTE, "not part of an open incident")


GATES = (
    gate_paused,
    gate_enabled,
    gate_namespace,
    gate_failure_class,
    gate_failure_current,
    gate_execution_mode,
    gate_risk,
    gate_confidence,
    gate_preflight,
    gate_rate_limit,
    gate_incident,
)


def decide(data: GateInput) -> Decision:
    results = tuple(gate(data) for gate in GATES)
    return Decision(outcome=max(result.outcome for result in results), results=results)


def approval_blockers(decision: Decision) -> tuple[GateResult, ...]:
    """The gates a human approval cannot answer: it never overrides the allow-list, a disabled
    action, a pause, an unreachable cluster, stale evidence, a transitioning or unreadable
    subject, a session, the lab's mode or a cleared failure."""
    return tuple(
        result
        for result in decision.results
        if result.outcome != Outcome.EXECUTE and result.gate not in OVERRIDABLE_BY_APPROVAL
    )
