"""Policy rule files (`policies/*.yaml`, spec 23.1): validated at the boundary into frozen
models; an error names the file, the rule and the field, like the rubric loader's."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from recommendations.conditions import Condition, ConditionError, check_names, parse

Urgency = Literal["critical", "high", "medium", "low"]
Scope = Literal["lab", "pool", "cluster", "platform"]
URGENCIES: tuple[str, ...] = ("critical", "high", "medium", "low")

# The facts each scope's context carries (spec 23.2, plus the cleanup detectors' counts).
SCOPE_FACTS: dict[str, frozenset[str]] = {
    "lab": frozenset(
        {
            "lab_code",
            "sessions",
            "has_event_sessions",
            "next_session_in_min",
            "instances_total",
            "instances_started",
            "instances_failed",
            "instances_destroying",
            "provisioned",
            "capacity",
            "has_pool",
            "demolition_status",
            "demolition_total_count",
            "aap_provision_failures",
            "aap_destroy_failures",
            "namespace_ready",
            "deployment_ready",
            "route_ready",
            "showroom_healthy",
            "vm_runtime_ready",
            "storage_clone_ready",
            "guest_agent_connected",
            "complexity_score",
            "cluster_cpu",
            "cloud",
            "deploy_mode",
            "status",
        }
    ),
    "pool": frozenset(
        {
            "name",
            "available",
            "ready",
            "min_required",
            "pool_velocity",
            "estimated_exhaustion_hours",
            "recycling_rate",
        }
    ),
    "cluster": frozenset(
        {
            "name",
            "avg_cpu",
            "avg_memory",
            "vms_per_node",
            "hot_nodes",
            "routing",
            "stuck_teardowns",
            "orphaned_pvs",
            "orphaned_pvcs",
            "orphaned_capacity_gi",
            "unhealthy_operator_pods",
        }
    ),
    "platform": frozenset(
        {
            "provision_total",
            "provision_sli",
            "sli_target",
            "total_jobs",
            "failed_24h",
            "success_rate",
            "replicas_ready",
            "replicas_desired",
            "api_healthy",
            "queue_depth",
        }
    ),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UrgencyRule(_Strict):
    when: str | None = None
    urgency: Urgency | None = None
    default: Urgency | None = None


class ConfidenceRule(_Strict):
    when: str | None = None
    score: float | None = Field(default=None, ge=0, le=1)
    default: float | None = Field(default=None, ge=0, le=1)


class RuleDef(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    scope: Scope
    condition: str
    title: str
    recommendation: str
    next_action: str = ""
    action: str | None = None  # a remediation catalog action a recommendation can request
    urgency: Urgency = "medium"
    urgency_rules: tuple[UrgencyRule, ...] = ()
    confidence_score: float = Field(default=0.5, ge=0, le=1)
    confidence_rules: tuple[ConfidenceRule, ...] = ()
    confidence_reason: str = ""
    confidence_reason_template: str = ""
    thresholds: dict[str, float] = Field(default_factory=dict)
    evidence_sources: tuple[str, ...] = ()

    @cached_property
    def parsed(self) -> Condition:
        return parse(self.condition)

    def urgency_for(self, facts: Mapping[str, object]) -> str:
        for rule in self.urgency_rules:
            if rule.when is None:
                return rule.default or rule.urgency or self.urgency
            if parse(rule.when).holds(facts, self.thresholds):
                return rule.urgency or self.urgency
        return self.urgency

    def confidence_for(self, facts: Mapping[str, object]) -> float:
        for rule in self.confidence_rules:
            if rule.when is None:
                return rule.default if rule.default is not None else self.confidence_score
            if parse(rule.when).holds(facts, self.thresholds):
                return rule.score if rule.score is not None else self.confidence_score
        return self.confidence_score

    @model_validator(mode="after")
    def _names_are_known(self) -> RuleDef:
        facts = SCOPE_FACTS[self.scope]
        expressions = [("condition", self.condition)]
        expressions += [
            (f"urgency_rules[{i}].when", r.when) for i, r in enumerate(self.urgency_rules) if r.when
        ]
        expressions += [
            (f"confidence_rules[{i}].when", r.when)
            for i, r in enumerate(self.confidence_rules)
            if r.when
        ]
        for field, text in expressions:
            try:
                problem = check_names(parse(text), facts, self.thresholds)
            except ConditionError as exc:
                raise ValueError(f"{field}: {exc}") from exc
            if problem:
                raise ValueError(f"{field}: {problem}")
        return self


class PolicyFile(_Strict):
    version: str
    constraint_to_stage: dict[str, str] = Field(default_factory=dict)
    rules: tuple[RuleDef, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> PolicyFile:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        return self


class PolicyFileError(Exception):
    def __init__(self, path: Path, field: str, detail: str) -> None:
        self.path, self.field, self.detail = path, field, detail
        super().__init__(f"{path}: {field}: {detail}")


def _location(data: Any, loc: tuple[int | str, ...]) -> str:
    """`rules[3].urgency` reads better as `rules[pool_exhaustion].urgency`."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            ident = node.get("id") if isinstance(node, dict) else None
            if parts:
                parts[-1] += f"[{ident or part}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return ".".join(parts) or "(file)"


def policy_file_load(path: Path) -> PolicyFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyFileError(path, "(file)", f"unreadable: {exc}") from exc
    except yaml.YAMLError as exc:
        raise PolicyFileError(path, "(file)", f"invalid YAML: {exc}") from exc
    try:
        return PolicyFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        raise PolicyFileError(path, _location(data, first["loc"]), message) from exc


def policies_load(
    directory: Path, overrides: Mapping[str, Mapping[str, float]] | None = None
) -> tuple[RuleDef, ...]:
    """Every rule of `directory/*.yaml`, in file then rule order. `overrides` (settings) replace
    thresholds per rule id: `{"pool_exhaustion": {"available_max": 2}}`."""
    rules: list[RuleDef] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        for rule in policy_file_load(path).rules:
            if rule.id in seen:
                raise PolicyFileError(
                    path, f"rules[{rule.id}]", f"also declared in {seen[rule.id].name}"
                )
            seen[rule.id] = path
            changed = (overrides or {}).get(rule.id)
            if changed:
                unknown = set(changed) - set(rule.thresholds)
                if unknown:
                    raise PolicyFileError(
                        path,
                        f"rules[{rule.id}].thresholds",
                        f"unknown threshold {sorted(unknown)[0]!r} in the settings' overrides",
                    )
                rule = rule.model_copy(update={"thresholds": {**rule.thresholds, **changed}})
            rules.append(rule)
    return tuple(rules)
