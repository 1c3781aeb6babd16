from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from remediation.catalog import catalog_load
from remediation.gates import (
    FailureCheck,
    GateInput,
    Outcome,
    approval_blockers,
    decide,
    namespace_allowed,
)

pytestmark = pytest.mark.smoke
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
    for state in ("provisioning", "starting", "destroying", "stopping", "stop-pending"):
        assert decide(_input(anarchy_state=state)).outcome == Outcome.REFUSE, state
    assert decide(_input(anarchy_state="started")).outcome == Outcome.EXECUTE


def test_it_treats_stopping_as_transitional_even_for_an_action_that_forbids_nothing() -> None:
    bare = CATALOG.get("restart-pod").model_copy(update={"forbidden_when": ()})
    decision = decide(_input(action=bare, anarchy_state="stopping"))
    assert decision.outcome == Outcome.REFUSE
    assert decision.summary == "AnarchySubject is stopping"


def test_it_never_executes_on_an_unknown_or_unheard_of_subject_state() -> None:
    for state in ("unknown", "frobnicating", "Started", ""):
        decision = decide(_input(anarchy_state=state or None))
        if state:
            assert decision.outcome == Outcome.APPROVAL, state
            # ...and a human approval does not answer it either.
            assert [b.gate for b in approval_blockers(decision)] == ["preflight"], state
    assert (
        decide(_input(anarchy_state="unknown")).summary == "AnarchySubject state unknown: approval"
    )


def test_it_refuses_when_the_cluster_is_unreachable_for_actions_that_forbid_it() -> None:
    decision = decide(_input(cluster_reachable=False))  # restart-pod forbids cluster_unreachable
    assert decision.outcome == Outcome.REFUSE
    assert decision.summary == "the cluster is unreachable"
    assert approval_blockers(decision)


def test_it_refuses_on_stale_evidence_for_actions_that_forbid_it() -> None:
    strict = CATALOG.get("restart-pod").model_copy(
        update={"forbidden_when": ("cluster_unreachable", "lab_stale")}
    )
    decision = decide(_input(action=strict, lab_stale=True))
    assert decision.outcome == Outcome.REFUSE
    assert decision.summary == "the lab's evidence is stale"
    assert decide(_input(lab_stale=True)).outcome == Outcome.EXECUTE  # restart-pod allows it


def test_it_refuses_an_unreachable_cluster_before_asking_about_an_unknown_subject() -> None:
    decision = decide(_input(cluster_reachable=False, anarchy_state="unknown"))
    assert decision.outcome == Outcome.REFUSE


def test_it_refuses_a_disabled_action_and_a_paused_lab() -> None:
    disabled = decide(_input(action_enabled=False))
    assert (disabled.outcome, disabled.summary) == (Outcome.REFUSE, "restart-pod is disabled")
    paused = decide(_input(paused="remediation paused globally: upgrade"))
    assert (paused.outcome, paused.summary) == (
        Outcome.REFUSE,
        "remediation paused globally: upgrade",
    )


def test_it_makes_a_request_obsolete_when_the_failure_cleared() -> None:
    decision = decide(_input(failure_check=FailureCheck.CLEARED))
    assert decision.outcome == Outcome.OBSOLETE
    assert decision.summary == "the lab no longer fails with crashloop: obsolete"
    unconfirmable = decide(_input(failure_check=FailureCheck.UNCONFIRMABLE))
    assert unconfirmable.outcome == Outcome.REFUSE
    for check in (FailureCheck.CURRENT, FailureCheck.NO_VERDICT, FailureCheck.UNCHECKED):
        assert decide(_input(failure_check=check)).outcome == Outcome.EXECUTE


def test_it_lets_an_approval_answer_only_risk_confidence_and_rate() -> None:
    asks_a_human = decide(_input("rollout-restart-deployment", confirmed=False, rate_slot=False))
    assert asks_a_human.outcome == Outcome.APPROVAL
    assert approval_blockers(asks_a_human) == ()
    recommend_only = decide(_input(execution_mode="recommend_only"))
    assert [b.gate for b in approval_blockers(recommend_only)] == ["execution_mode"]


@given(
    namespace_ok=st.booleans(),
    enabled=st.booleans(),
    paused=st.booleans(),
    reachable=st.booleans(),
    stale=st.booleans(),
    session=st.booleans(),
    state=st.sampled_from([None, "started", "stopping", "provisioning", "unknown", "odd"]),
    check=st.sampled_from(list(FailureCheck)),
    confirmed=st.booleans(),
    action_id=st.sampled_from(["restart-pod", "rollout-restart-deployment"]),
)
def test_an_approval_never_overrides_a_safety_gate(
    namespace_ok: bool,
    enabled: bool,
    paused: bool,
    reachable: bool,
    stale: bool,
    session: bool,
    state: str | None,
    check: FailureCheck,
    confirmed: bool,
    action_id: str,
) -> None:
    strict = CATALOG.get(action_id).model_copy(
        update={"forbidden_when": ("cluster_unreachable", "lab_stale", "session_running")}
    )
    data = _input(
        action=strict,
        namespace="sandbox-a-web" if namespace_ok else "openshift-a",
        allowed_prefixes=("sandbox-", "openshift-"),
        action_enabled=enabled,
        paused="remediation paused globally" if paused else "",
        cluster_reachable=reachable,
        lab_stale=stale,
        session_running=session,
        anarchy_state=state,
        failure_check=check,
        confirmed=confirmed,
        execution_mode="full_auto",
    )
    unsafe = (
        not namespace_ok
        or not enabled
        or paused
        or not reachable
        or stale
        or session
        or state not in (None, "started")
        or check in (FailureCheck.CLEARED, FailureCheck.UNCONFIRMABLE)
    )
    assert bool(approval_blockers(decide(data))) == unsafe


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
        "paused",
        "enabled",
        "namespace",
        "failure_class",
        "failure_current",
        "execution_mode",
        "risk",
        "confidence",
        "preflight",
        "rate_limit",
        "incident",
    ]
    assert all(r["reason"] for r in reasons)


PERMISSIVE = ("", "openshift", "kube", "default", "o", "k", "d", "sandbox-")
SYSTEM_NAMES = ("default", "openshift-etcd", "openshift-foo", "kube-system", "kube-x", "openshift")


def test_it_never_allows_system_namespaces_whatever_the_configuration() -> None:
    for namespace in (*SYSTEM_NAMES, "kube-public", "kubex", "openshiftish"):
        assert not namespace_allowed(namespace, PERMISSIVE), namespace
        decision = decide(_input(namespace=namespace, allowed_prefixes=PERMISSIVE))
        assert decision.outcome == Outcome.REFUSE, namespace
        assert [b.gate for b in approval_blockers(decision)] == ["namespace"]
    # The same allow-list admits an ordinary namespace: the refusals above are the system rule.
    assert namespace_allowed("dev-team-a", ("dev-",))
    assert namespace_allowed("sandbox-abc12-web", PERMISSIVE)


system_namespaces = st.sampled_from(["openshift", "kube", "default"]).flatmap(
    lambda stem: st.from_regex(rf"{stem}(-[a-z0-9]{{1,10}})?", fullmatch=True)
)
namespaces = (
    st.from_regex(r"[a-z0-9][-a-z0-9.]{0,70}", fullmatch=True)
    | st.text(max_size=80)
    | system_namespaces
)
prefixes = st.lists(
    st.from_regex(r"[a-z][-a-z0-9]{0,10}", fullmatch=True)
    | st.sampled_from(["openshift-", "kube-", "default", "o", "k", "d"]),
    max_size=4,
)


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
