"""Every rule of policies/ is implemented: each one fires on the contract's numbers (section
23.3) and stays quiet just beside them; rule files are validated with file and field named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recommendations.engine import Context, evaluate, evaluate_rule, next_action
from recommendations.rules import PolicyFileError, policies_load

POLICIES = Path(__file__).resolve().parents[2] / "policies"
SPEC_RULES = {
    "provision_blocked_lab",
    "cleanup_stuck",
    "pool_exhaustion",
    "pool_depletion_predicted",
    "cluster_capacity",
    "smoke_test_failing",
    "aap_provision_failing",
    "aap_destroy_failing",
    "aap_sli_breach",
    "showroom_unreachable",
    "route_not_created",
    "provision_timeout",
    "workload_exceeds_capacity",
    "sandbox_api_degraded",
    "guest_agent_disconnected",
    "substrate_routing",
}
DETECTOR_RULES = {"teardown_stuck", "storage_orphaned", "operator_unhealthy"}

# rule: (scope, firing facts, quiet facts, urgency, confidence)
CASES: dict[str, tuple[str, dict[str, Any], dict[str, Any], str, float]] = {
    "provision_blocked_lab": (
        "lab",
        {"sessions": 2, "instances_started": 0, "provisioned": 0, "capacity": 0},
        {"sessions": 2, "instances_started": 0, "provisioned": 0, "capacity": 1},
        "critical",
        0.95,
    ),
    "cleanup_stuck": ("lab", {"instances_failed": 1}, {"instances_failed": 0}, "high", 0.90),
    "pool_exhaustion": (
        "pool",
        {"min_required": 5, "available": 0},
        {"min_required": 5, "available": 2},
        "high",
        0.95,
    ),
    "pool_depletion_predicted": (
        "pool",
        {"pool_velocity": -2.0, "estimated_exhaustion_hours": 3.0, "available": 6},
        {"pool_velocity": -0.5, "estimated_exhaustion_hours": 3.0},
        "high",
        0.75,
    ),
    "cluster_capacity": (
        "cluster",
        {"avg_cpu": 75, "vms_per_node": 10},
        {"avg_cpu": 70, "vms_per_node": 80},
        "medium",
        0.70,
    ),
    "smoke_test_failing": (
        "lab",
        {"demolition_status": "fail", "sessions": 1, "demolition_total_count": 12},
        {"demolition_status": "pass", "sessions": 1},
        "medium",
        0.90,
    ),
    "substrate_routing": (
        "cluster",
        {"routing": "rebalance_to_xeon6"},
        {"routing": "unknown"},
        "medium",
        0.80,
    ),
    "showroom_unreachable": (
        "lab",
        {"showroom_healthy": "fail", "sessions": 3},
        {"showroom_healthy": "fail", "sessions": 0},
        "high",
        0.90,
    ),
    "route_not_created": (
        "lab",
        {"namespace_ready": "pass", "route_ready": "fail"},
        {"namespace_ready": "fail", "route_ready": "fail"},
        "medium",
        0.85,
    ),
    "provision_timeout": (
        "lab",
        {"instances_total": 3, "instances_started": 0},
        {"instances_total": 3, "instances_started": 1},
        "high",
        0.80,
    ),
    "guest_agent_disconnected": (
        "lab",
        {"vm_runtime_ready": "warn", "guest_agent_connected": False},
        {"vm_runtime_ready": "warn", "guest_agent_connected": True},
        "low",
        0.70,
    ),
    "aap_provision_failing": (
        "lab",
        {"aap_provision_failures": 2},
        {"aap_provision_failures": 0},
        "critical",
        0.95,
    ),
    "aap_destroy_failing": (
        "lab",
        {"aap_destroy_failures": 1},
        {"aap_destroy_failures": 0},
        "high",
        0.90,
    ),
    "aap_sli_breach": (
        "platform",
        {"provision_total": 40, "provision_sli": 92.9},
        {"provision_total": 40, "provision_sli": 93.0},
        "critical",
        0.95,
    ),
    "sandbox_api_degraded": (
        "platform",
        {"replicas_ready": 1, "replicas_desired": 2},
        {"replicas_ready": 2, "replicas_desired": 2},
        "high",
        0.90,
    ),
    "workload_exceeds_capacity": (
        "lab",
        {"complexity_score": 0.71, "cluster_cpu": 71},
        {"complexity_score": 0.7, "cluster_cpu": 90},
        "high",
        0.80,
    ),
    "teardown_stuck": ("cluster", {"stuck_teardowns": 1}, {"stuck_teardowns": 0}, "high", 0.90),
    "storage_orphaned": (
        "cluster",
        {"orphaned_pvs": 0, "orphaned_pvcs": 2},
        {"orphaned_pvs": 0, "orphaned_pvcs": 0},
        "medium",
        0.85,
    ),
    "operator_unhealthy": (
        "cluster",
        {"unhealthy_operator_pods": 1},
        {"unhealthy_operator_pods": 0},
        "high",
        0.85,
    ),
}


@pytest.fixture(scope="module")
def rules() -> dict[str, Any]:
    return {rule.id: rule for rule in policies_load(POLICIES)}


def test_every_contract_rule_is_declared_and_every_declared_rule_is_tested(
    rules: dict[str, Any],
) -> None:
    assert set(rules) >= SPEC_RULES
    assert set(rules) == SPEC_RULES | DETECTOR_RULES
    assert set(CASES) == set(rules)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_each_rule_fires_on_its_numbers_and_not_beside_them(
    rules: dict[str, Any], rule_id: str
) -> None:
    scope, firing, quiet, urgency, confidence = CASES[rule_id]
    finding = evaluate_rule(rules[rule_id], Context(scope, "t1", firing))
    assert finding is not None, rule_id
    assert (finding.urgency, finding.confidence) == (urgency, confidence)
    assert finding.title and "{" not in finding.title
    assert evaluate_rule(rules[rule_id], Context(scope, "t1", quiet)) is None


def test_urgency_and_confidence_rules_switch_on_their_conditions(rules: dict[str, Any]) -> None:
    busy = evaluate_rule(
        rules["cluster_capacity"], Context("cluster", "c", {"avg_cpu": 85, "vms_per_node": 1})
    )
    assert busy is not None and (busy.urgency, busy.confidence) == ("high", 0.85)
    low = evaluate_rule(
        rules["pool_exhaustion"], Context("pool", "p", {"min_required": 5, "available": 1})
    )
    assert low is not None and low.confidence == 0.80
    soon = evaluate_rule(
        rules["pool_depletion_predicted"],
        Context("pool", "p", {"pool_velocity": -3, "estimated_exhaustion_hours": 0.5}),
    )
    assert soon is not None and soon.confidence == 0.95
    event = evaluate_rule(
        rules["smoke_test_failing"],
        Context(
            "lab",
            "LB1",
            {
                "demolition_status": "fail",
                "sessions": 1,
                "has_event_sessions": True,
                "demolition_total_count": 3,
            },
        ),
    )
    assert event is not None and (event.urgency, event.confidence) == ("high", 0.65)


def test_a_rule_only_sees_contexts_of_its_scope(rules: dict[str, Any]) -> None:
    assert (
        evaluate_rule(rules["cleanup_stuck"], Context("pool", "p", {"instances_failed": 3})) is None
    )


def test_findings_carry_evidence_links_and_sort_by_urgency(rules: dict[str, Any]) -> None:
    contexts = [
        Context(
            "pool",
            "ocp4.lb1208",
            {"min_required": 5, "available": 0},
            evidence={"poolboy": {"available": 0}},
            links={"poolboy": "/provisioning/LB1208/"},
        ),
        Context("lab", "LB1208", {"aap_provision_failures": 1}),
    ]
    findings = evaluate(list(rules.values()), contexts)
    assert [f.rule for f in findings] == ["aap_provision_failing", "pool_exhaustion"]
    pool = findings[1]
    assert pool.evidence["source_poolboy"] == {"available": 0, "link": "/provisioning/LB1208/"}
    assert pool.key == "pool_exhaustion:ocp4.lb1208" and pool.action == "pool-scale"
    assert pool.decision_logic == "min_required > 0 AND available <= available_max"


def test_thresholds_can_be_overridden(rules: dict[str, Any]) -> None:
    [*_] = rules
    relaxed = {r.id: r for r in policies_load(POLICIES, {"pool_exhaustion": {"available_max": 3}})}
    assert evaluate_rule(
        relaxed["pool_exhaustion"], Context("pool", "p", {"min_required": 5, "available": 3})
    )
    with pytest.raises(PolicyFileError, match="unknown threshold 'nope'"):
        policies_load(POLICIES, {"pool_exhaustion": {"nope": 1}})


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            'condition: "instances_failed > 0"',
            "rules[cleanup_stuck]",
            "unknown fact 'instances_flailed'",
        ),
        ("urgency: high", "rules[cleanup_stuck].urgency", "Input should be"),
        (
            "confidence_score: 0.90",
            "rules[cleanup_stuck].confidence_score",
            "less than or equal to 1",
        ),
    ],
)
def test_a_bad_rule_names_its_file_and_field(
    tmp_path: Path, change: str, field: str, message: str
) -> None:
    text = (POLICIES / "rules.yaml").read_text()
    broken = {
        "condition": text.replace(
            change, change.replace("instances_failed", "instances_flailed"), 1
        ),
        "urgency": text.replace(
            '    confidence_score: 0.90\n    confidence_reason_template: "{instances_failed}',
            '    urgency: urgent\n    confidence_score: 0.90\n    confidence_reason_template: "{instances_failed}',
            1,
        ),
        "confidenc": text.replace(change, "confidence_score: 1.5", 1),
    }[change.split(":")[0][:9]]
    path = tmp_path / "rules.yaml"
    path.write_text(broken)
    with pytest.raises(PolicyFileError) as raised:
        policies_load(tmp_path)
    assert raised.value.path == path
    assert raised.value.field.startswith(field.split(".")[0])
    assert message in raised.value.detail


def test_an_unknown_threshold_in_a_condition_fails_to_load(tmp_path: Path) -> None:
    text = (
        (POLICIES / "rules.yaml")
        .read_text()
        .replace("available <= available_max", "available <= availble_max")
    )
    (tmp_path / "rules.yaml").write_text(text)
    with pytest.raises(
        PolicyFileError, match=r"rules\[pool_exhaustion\].*unknown threshold 'availble_max'"
    ):
        policies_load(tmp_path)


@pytest.mark.parametrize(
    ("facts", "action"),
    [
        ({"aap_provision_failures": 1, "instances_failed": 1}, "Fix provisioning"),
        ({"instances_failed": 1}, "Clean stuck instances"),
        ({"sessions": 1, "provisioned": 0}, "Allocate pool"),
        (
            {"sessions": 1, "provisioned": 1, "demolition_status": "fail", "has_pool": 1},
            "Fix smoke test",
        ),
        ({"status": "planning"}, "Move to development"),
        (
            {"sessions": 1, "provisioned": 1, "has_pool": 0, "demolition_status": "pass"},
            "Configure pool",
        ),
        (
            {"sessions": 1, "provisioned": 1, "has_pool": 1, "demolition_status": "none"},
            "Run smoke test",
        ),
        ({}, "On track"),
    ],
)
def test_next_action_per_lab_first_match(facts: dict[str, Any], action: str) -> None:
    assert next_action(facts)[0] == action
