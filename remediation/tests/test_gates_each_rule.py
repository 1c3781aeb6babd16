"""Every branch of every gate, with the exact result it gives: its gate name (what an approval
is checked against), its outcome and the reason stored on the request and shown to operators.

Written from the mutants that survived the first mutation run (README "Mutation testing")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from remediation import gates
from remediation.catalog import ActionDef, Risk, catalog_load
from remediation.gates import (
    GATES,
    FailureCheck,
    GateInput,
    GateResult,
    Outcome,
    approval_blockers,
    decide,
)

pytestmark = pytest.mark.smoke
CATALOG = catalog_load(Path(__file__).resolve().parents[2] / "remediations" / "catalog.yaml")
RESTART = CATALOG.get("restart-pod")  # low risk, session-safe, forbids transitions, unreachable


def _action(**changes: Any) -> ActionDef:
    return RESTART.model_copy(update=changes)


def _input(**changes: Any) -> GateInput:
    values: dict[str, Any] = {
        "action": RESTART,
        "namespace": "sandbox-abc12-web",
        "allowed_prefixes": ("sandbox-",),
        "execution_mode": "low_risk_auto",
        "failure_class": "crashloop",
    }
    return GateInput(**{**values, **changes})


E, A, R, X = Outcome.EXECUTE, Outcome.APPROVAL, Outcome.RECOMMEND, Outcome.REFUSE
OBS = Outcome.OBSOLETE
# fmt: off
BRANCHES: list[tuple[str, dict[str, Any], Outcome, str]] = [
    ("paused", {}, E, "remediation is not paused"),
    ("paused", {"paused": "remediation paused globally: upgrade"}, X,
     "remediation paused globally: upgrade"),
    ("enabled", {}, E, "restart-pod is enabled"),
    ("enabled", {"action_enabled": False}, X, "restart-pod is disabled"),
    ("namespace", {}, E, "sandbox-abc12-web is allow-listed"),
    ("namespace", {"namespace": "openshift-etcd"}, X,
     "'openshift-etcd' is not in the allow-list (or a system one)"),
    ("failure_class", {}, E, "allowed for crashloop"),
    ("failure_class", {"failure_class": "quota-exceeded"}, X,
     "restart-pod is not allowed for quota-exceeded"),
    ("failure_current", {}, E, "judged on the evidence behind the request"),
    ("failure_current", {"failure_check": FailureCheck.NO_VERDICT}, E,
     "no stored verdict for the lab yet"),
    ("failure_current", {"failure_check": FailureCheck.CURRENT}, E,
     "the lab still fails with crashloop"),
    ("failure_current", {"failure_check": FailureCheck.CLEARED}, OBS,
     "the lab no longer fails with crashloop: obsolete"),
    ("failure_current", {"failure_check": FailureCheck.UNCONFIRMABLE}, X,
     "the lab's verdicts are stale or its cluster unreachable: crashloop cannot be confirmed"),
    ("execution_mode", {"action": CATALOG.get("diagnose-crashloop")}, R,
     "diagnostic action: recommend only"),
    ("execution_mode", {"execution_mode": "recommend_only"}, R, "the lab is recommend_only"),
    ("execution_mode", {}, E, "the lab is low_risk_auto"),
    ("execution_mode", {"execution_mode": "full_auto"}, E, "the lab is full_auto"),
    ("execution_mode", {"execution_mode": "yolo"}, R, "unknown mode 'yolo': recommend"),
    ("risk", {"action": _action(requires_approval=True)}, A,
     "restart-pod always requires approval"),
    ("risk", {}, E, "low risk runs in low_risk_auto"),
    ("risk", {"action": _action(risk=Risk.MEDIUM), "execution_mode": "full_auto"}, E,
     "medium risk runs in full_auto"),
    ("risk", {"action": _action(risk=Risk.MEDIUM)}, A, "medium risk needs approval here"),
    ("risk", {"action": _action(risk=Risk.HIGH), "execution_mode": "full_auto"}, A,
     "high risk needs approval here"),
    ("confidence", {}, E, "classification confirmed"),
    ("confidence", {"confirmed": False}, A, "unconfirmed classification: approval"),
    ("preflight", {}, E, "pre-flight checks passed"),
    ("preflight", {"anarchy_state": "started"}, E, "pre-flight checks passed"),
    ("preflight", {"anarchy_state": "stopping"}, X, "AnarchySubject is stopping"),
    ("preflight", {"session_running": True, "action": _action(session_safe=False)}, X,
     "a session is running: not session-safe"),
    ("preflight", {"session_running": True,
                   "action": _action(forbidden_when=("session_running",))}, X,
     "a session is running: not session-safe"),
    ("preflight", {"session_running": True}, E, "pre-flight checks passed"),
    ("preflight", {"cluster_reachable": False}, X, "the cluster is unreachable"),
    ("preflight", {"cluster_reachable": False, "action": _action(forbidden_when=())}, E,
     "pre-flight checks passed"),
    ("preflight", {"lab_stale": True, "action": _action(forbidden_when=("lab_stale",))}, X,
     "the lab's evidence is stale"),
    ("preflight", {"lab_stale": True}, E, "pre-flight checks passed"),
    ("preflight", {"anarchy_state": "unknown"}, A, "AnarchySubject state unknown: approval"),
    ("preflight", {"anarchy_state": "hibernating"}, A,
     "AnarchySubject state 'hibernating' not known: approval"),
    ("rate_limit", {}, E, "within the hourly limits"),
    ("rate_limit", {"rate_slot": True}, E, "within the hourly limits"),
    ("rate_limit", {"rate_slot": False}, A, "hourly action limit reached: approval"),
]
# fmt: on


@pytest.mark.parametrize(("gate", "changes", "outcome", "reason"), BRANCHES)
def test_each_gate_gives_its_name_outcome_and_reason(
    gate: str, changes: dict[str, Any], outcome: Outcome, reason: str
) -> None:
    rule = getattr(gates, f"gate_{gate}")
    assert rule(_input(**changes)) == GateResult(gate, outcome, reason)


def test_every_gate_is_decided_in_order() -> None:
    decision = decide(_input())
    assert [result.gate for result in decision.results] == [
        rule.__name__.removeprefix("gate_") for rule in GATES
    ]
    assert decision.outcome == Outcome.EXECUTE
    assert decision.summary == "all gates passed"


def test_it_stores_each_gate_s_result_as_three_named_strings() -> None:
    result = GateResult("preflight", Outcome.REFUSE, "the cluster is unreachable")
    assert result.as_dict() == {
        "gate": "preflight",
        "outcome": "refuse",
        "reason": "the cluster is unreachable",
    }


def test_an_approval_answers_an_action_that_always_requires_one() -> None:
    decision = decide(_input(action=_action(requires_approval=True)))
    assert decision.outcome == Outcome.APPROVAL
    assert approval_blockers(decision) == ()


def test_the_summary_names_every_gate_that_holds_the_outcome_and_no_other() -> None:
    decision = decide(_input(action_enabled=False, paused="paused: upgrade", confirmed=False))
    assert decision.outcome == Outcome.REFUSE
    assert decision.summary == "paused: upgrade; restart-pod is disabled"
    assert [r["gate"] for r in decision.reasons] == [rule.__name__[5:] for rule in GATES]
