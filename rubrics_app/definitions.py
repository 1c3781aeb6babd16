"""The rubric file format: frozen pydantic models that reject unknown keys (STYLE P8)."""

from __future__ import annotations

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
