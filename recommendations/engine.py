"""Evaluate policy rules on scope contexts (spec 23.3, 23.4): pure, no database.

A context is one lab, pool, cluster or the platform: its facts, and its evidence per source
(each with an optional link). A rule whose condition holds on a context of its scope yields one
finding, keyed `<rule>:<target>` so that a finding that holds again is the same one.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from recommendations.rules import URGENCIES, RuleDef


@dataclass(frozen=True)
class Context:
    scope: str  # lab | pool | cluster | platform
    target: str  # the lab code, pool name, cluster name or "platform"
    facts: Mapping[str, object]
    evidence: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    links: Mapping[str, str] = field(default_factory=dict)
    team_id: int | None = None
    lab_id: int | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    scope: str
    target: str
    urgency: str
    confidence: float
    confidence_reason: str
    title: str
    recommendation: str
    next_action: str
    action: str | None
    evidence: dict[str, dict[str, Any]]
    decision_logic: str
    team_id: int | None = None
    lab_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.target}"

    def as_dict(self, generated_at: datetime) -> dict[str, Any]:
        target_field = {"lab": "lab_code", "pool": "pool_name", "cluster": "cluster"}.get(
            self.scope, "target"
        )
        return {
            "type": self.rule,
            "urgency": self.urgency,
            target_field: self.target,
            "title": self.title,
            "recommendation": self.recommendation,
            "action": self.action,
            "confidence_score": self.confidence,
            "confidence_reason": self.confidence_reason,
            "evidence": self.evidence,
            "decision_logic": self.decision_logic,
            "generated_at": generated_at.isoformat(),
        }


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "?"


def render(template: str, values: Mapping[str, object]) -> str:
    """`{placeholders}` filled from facts and thresholds; unknown ones read `?`, never raise."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    blank = _Blank({name: _show(values.get(name)) for name in names if name in values})
    return template.format_map(blank)


def _show(value: object) -> object:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    return value


def evaluate_rule(rule: RuleDef, context: Context) -> Finding | None:
    if rule.scope != context.scope or not rule.parsed.holds(context.facts, rule.thresholds):
        return None
    values = {**rule.thresholds, **context.facts, "target": context.target}
    reason = rule.confidence_reason_template or rule.confidence_reason or "rule defaults"
    evidence: dict[str, dict[str, Any]] = {}
    for source in rule.evidence_sources:
        item = dict(context.evidence.get(source) or {})
        if source in context.links:
            item["link"] = context.links[source]
        evidence[f"source_{source}"] = item
    return Finding(
        rule=rule.id,
        scope=rule.scope,
        target=context.target,
        urgency=rule.urgency_for(context.facts),
        confidence=rule.confidence_for(context.facts),
        confidence_reason=render(reason, values),
        title=render(rule.title, values),
        recommendation=render(rule.recommendation, values),
        next_action=render(rule.next_action, values),
        action=rule.action,
        evidence=evidence,
        decision_logic=rule.condition,
        team_id=context.team_id,
        lab_id=context.lab_id,
    )


def evaluate(rules: Sequence[RuleDef], contexts: Iterable[Context]) -> list[Finding]:
    """Every finding, sorted critical, high, medium, low, then by confidence (highest first)."""
    findings = [
        finding
        for context in contexts
        for rule in rules
        if (finding := evaluate_rule(rule, context)) is not None
    ]
    return sorted(findings, key=lambda f: (URGENCIES.index(f.urgency), -f.confidence, f.key))


def envelope(findings: Sequence[Finding], generated_at: datetime) -> dict[str, Any]:
    """Spec 23.4's envelope."""
    counts = {u: sum(f.urgency == u for f in findings) for u in URGENCIES}
    return {
        "recommendations": [f.as_dict(generated_at) for f in findings],
        "total": len(findings),
        **counts,
        "escalated_count": 0,
        "generated_at": generated_at.isoformat(),
    }


NEXT_ACTIONS = (
    ("Fix provisioning", "critical"),
    ("Clean stuck instances", "critical"),
    ("Allocate pool", "critical"),
    ("Fix smoke test", "high"),
    ("Move to development", "medium"),
    ("Configure pool", "medium"),
    ("Run smoke test", "low"),
    ("On track", "low"),
)


def next_action(facts: Mapping[str, Any]) -> tuple[str, str]:
    """Spec 23.4's next action per lab, first match."""
    sessions = int(facts.get("sessions") or 0)
    checks = (
        int(facts.get("aap_provision_failures") or 0) > 0,
        int(facts.get("instances_failed") or 0) > 0,
        sessions > 0 and not facts.get("provisioned"),
        facts.get("demolition_status") == "fail",
        str(facts.get("status") or "").lower() == "planning",
        sessions > 0 and not facts.get("has_pool"),
        sessions > 0 and facts.get("demolition_status") in (None, "none"),
    )
    index = next((i for i, hit in enumerate(checks) if hit), len(checks))
    return NEXT_ACTIONS[index]
