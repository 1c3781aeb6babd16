"""The rubric file format: frozen pydantic models that reject unknown keys (STYLE P8)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"

CheckName = Literal[
    "namespace_exists",
    "namespace_active",
    "cluster_nodes",
    "cluster_capacity",
    "cluster_alerts",
    "anarchy_state",
    "deployments",
    "statefulsets",
    "workload_pods",
    "stray_pods",
    "job_runs",
    "datavolumes",
    "pvcs",
    "routes",
    "routed_services",
    "other_services",
    "vms",
    "vmis",
    "guest_agent",
    "smoke_tests",
    "showroom_probe",
    "inferenceservices",
]

# What `applies_to.any_present` may name: evidence kinds plus derived facts.
Presence = Literal[
    "namespace",
    "pods",
    "deployments",
    "statefulsets",
    "services",
    "routes",
    "persistentvolumeclaims",
    "virtualmachines",
    "virtualmachineinstances",
    "datavolumes",
    "inferenceservices",
    "anarchysubjects",
    "showroom",
    "cluster_health",
    "smoke_tests",
]


CLUSTER_STAGE = "cluster"


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(Frozen):
    id: str = Field(pattern=KEBAB)
    check: CheckName
    required: bool = True
    # When set, the criterion is required exactly when the lab's catalog entry says so.
    required_if_lab: Literal["requires_guest_agent"] | None = None
    grace_seconds: int = Field(default=0, ge=0, le=7 * 24 * 3600)
    threshold_pct: float | None = Field(default=None, gt=0, le=100)
    description: str = ""


class AppliesTo(Frozen):
    always: bool = False
    any_present: tuple[Presence, ...] = ()

    @model_validator(mode="after")
    def _one_way(self) -> AppliesTo:
        if self.always == bool(self.any_present):
            raise ValueError("give exactly one of always: true or a non-empty any_present")
        return self


class Condition(Frozen):
    """Facts about the deciding object; every given field must match."""

    criterion: str | None = None
    kinds: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    timed_out: bool | None = None


class FailureRule(Frozen):
    when: Condition
    class_: str = Field(alias="class", pattern=KEBAB)


class Remediations(Frozen):
    allowed: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _disjoint(self) -> Remediations:
        if both := sorted(set(self.allowed) & set(self.forbidden)):
            raise ValueError(f"both allowed and forbidden: {', '.join(both)}")
        return self


class RubricDef(Frozen):
    id: str = Field(pattern=KEBAB)
    version: int = Field(ge=1)
    stage: str = Field(min_length=1)
    order: int = Field(ge=0)
    description: str = ""
    applies_to: AppliesTo
    entry_criteria: tuple[Criterion, ...] = ()
    exit_criteria: tuple[Criterion, ...] = Field(min_length=1)
    failure_classes: tuple[FailureRule, ...] = ()
    default_class: str = Field(pattern=KEBAB)
    remediations: Remediations = Remediations()

    @property
    def cluster_level(self) -> bool:
        """Judges the cluster the lab runs on, not the lab: never the lab's failure class."""
        return self.stage == CLUSTER_STAGE


class FailureClassDef(Frozen):
    id: str = Field(pattern=KEBAB)
    code: str = Field(pattern=r"^SG-[0-9]{3}$")
    severity: Literal["info", "low", "medium", "high", "critical"]
    action: str = Field(pattern=KEBAB)
    summary: str = Field(min_length=1)


class FailureClassFile(Frozen):
    classes: tuple[FailureClassDef, ...] = Field(min_length=1)


class ClassificationRuleDef(Frozen):
    """A promoted classification rule (its own schema, never a rubric): a reviewed answer made
    deterministic. It applies to a failure no rubric rule classifies, before any model call."""

    id: str = Field(pattern=KEBAB)
    version: int = Field(ge=1)
    rubric: str = Field(pattern=KEBAB)
    criterion: str | None = None
    kind: str | None = None
    reason: str | None = None
    message_pattern: str | None = None  # a regular expression searched in the message
    class_: str = Field(alias="class", pattern=KEBAB)
    description: str = ""

    @model_validator(mode="after")
    def _pattern_compiles(self) -> ClassificationRuleDef:
        if self.message_pattern is not None:
            try:
                re.compile(self.message_pattern)
            except re.error as exc:
                raise ValueError(f"message_pattern is not a regular expression: {exc}") from exc
        if not any((self.criterion, self.kind, self.reason, self.message_pattern)):
            raise ValueError("a rule needs at least one of criterion, kind, reason, message")
        return self


class ClassificationRuleFile(Frozen):
    """`classification_rules.yaml`: the promoted rules and the novel classes they introduced."""

    rules: tuple[ClassificationRuleDef, ...] = ()
    classes: tuple[FailureClassDef, ...] = ()
