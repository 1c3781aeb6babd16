from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from remediation.catalog import catalog_load
from remediation.gates import GateInput, Outcome, decide, namespace_allowed

CATALOG = catalog_load(Path(__file__).resolve().parents[2] / "remediations" / "catalog.yaml")
PREFIXES = ("sandbox-",)


def _input(action_id: str = "restart-pod", **changes: object) -> GateInput:
    values: dict[str, object] = {
        "action": CATALOG.get(action_id),
        "namespace": "sandbox-abc12-web",
        "allowed_prefixes": PREFIXES,
        "execution_mode": "low_risk_auto",
        "failure_class": "crashloop",
    }
    values.update(changes)
    return GateInput(**values)  # type: ignore[arg-type]


def test_it_executes_a_low_risk_action_in_low_risk_auto() -> None:
    assert decide(_input()).outcome == Outcome.EXECUTE


def test_it_only_recommends_in_recommend_only() -> None:
    decision = decide(_input(execution_mode="recommend_only"))
    assert decision.outcome == Outcome.RECOMMEND
    assert "recommend_only" in decision.summary


def test_it_queues_medium_risk_in_low_risk_auto_and_runs_it_in_full_auto() -> None:
    medium = "rollout-restart-deployment"
    assert decide(_input(medium)).outcome == Outcome.APPROVAL
    assert decide(_input(medium, execution_mode="full_auto")).outcome == Outcome.EXECUTE


def test_it_queues_high_risk_even_in_full_auto() -> None:
    data = _input(
        "anarchy-destroy-stuck", failure_class="destroy-failed", execution_mode="full_auto"
    )
    assert decide(data).outcome == Outcome.APPROVAL


def test_it_sends_unconfirmed_classifications_to_approval() -> None:
    decision = decide(_input(confirmed=False, execution_mode="full_auto"))
    assert decision.outcome == Outcome.APPROVAL
    assert decision.summary == "unconfirmed classification: approval"


def test_it_refuses_while_the_subject_is_transitioning() -> None:
    for state in ("provisioning", "starting", "destroying"):
        assert decide(_input(anarchy_state=state)).outcome == Outcome.REFUSE
    assert decide(_input(anarchy_state="started")).outcome == Outcome.EXECUTE


def test_it_refuses_actions_that_are_not_session_safe_during_a_session() -> None:
    medium = _input("rollout-restart-deployment", execution_mode="full_auto", session_running=True)
    assert decide(medium).outcome == Outcome.REFUSE
    assert decide(_input(session_running=True)).outcome == Outcome.EXECUTE


def test_it_refuses_an_action_for_another_failure_class() -> None:
    assert decide(_input(failure_class="pvc-lost")).outcome == Outcome.REFUSE


def test_it_queues_when_the_rate_limit_is_reached() -> None:
    assert decide(_input(rate_slot=False)).outcome == Outcome.APPROVAL


def test_it_records_a_reason_for_every_gate() -> None:
    reasons = decide(_input()).reasons
    assert [r["gate"] for r in reasons] == [
        "namespace", "failure_class", "execution_mode", "risk", "confidence", "preflight",
        "rate_limit",
    ]  # fmt: skip
    assert all(r["reason"] for r in reasons)


def test_it_never_allows_system_namespaces_whatever_the_configuration() -> None:
    for namespace in ("default", "openshift-etcd", "kube-system", "openshift", "kube-public"):
        assert not namespace_allowed(
            namespace, ("", "openshift-", "kube-", "default", "o", "k", "d")
        )


namespaces = st.from_regex(r"[a-z0-9][-a-z0-9.]{0,70}", fullmatch=True) | st.text(max_size=80)
prefixes = st.lists(st.from_regex(r"[a-z][-a-z0-9]{0,10}", fullmatch=True), max_size=4)


@given(namespace=namespaces, allowed=prefixes, mode=st.sampled_from(["low_risk_auto", "full_auto"]))
def test_it_never_acts_outside_the_allow_list(
    namespace: str, allowed: list[str], mode: str
) -> None:
    decision = decide(_input(namespace=namespace, allowed_prefixes=allowed, execution_mode=mode))
    inside = any(namespace.startswith(prefix) for prefix in allowed)
    system = namespace == "default" or namespace.startswith(("openshift", "kube"))
    if decision.outcome != Outcome.REFUSE:
        assert inside
        assert not system
        assert len(namespace) <= 63
