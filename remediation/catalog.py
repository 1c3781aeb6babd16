"""The remediation catalog: `remediations/catalog.yaml`, validated into frozen typed models.

The YAML is the reviewed source; `load_catalog` copies it into `RemediationAction` rows.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from stargate.lib.dns import is_dns_label, is_dns_subdomain

UUID_RE = re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
ActionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,98}[a-z0-9]$")]
ClassId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,98}[a-z0-9]$")]


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Scope(StrEnum):
    POD = "pod"
    DEPLOYMENT = "deployment"
    NAMESPACE = "namespace"
    LAB = "lab"
    POOL = "pool"
    CLUSTER = "cluster"


class Method(StrEnum):
    KUBERNETES = "kubernetes"
    RHDP_ANARCHY = "rhdp_anarchy"
    RHDP_POOLBOY = "rhdp_poolboy"
    RHDP_SANDBOX_API = "rhdp_sandbox_api"


# What each executable method knows how to do; `operation` in the YAML must be one of these.
OPERATIONS: dict[Method, frozenset[str]] = {
    Method.KUBERNETES: frozenset({"delete_pod", "rollout_restart_deployment", "restart_showroom"}),
    Method.RHDP_ANARCHY: frozenset({"set_desired_state"}),
    Method.RHDP_POOLBOY: frozenset({"set_min_available"}),
    Method.RHDP_SANDBOX_API: frozenset({"delete_placement", "placement_action"}),
}


# Conditions under which an action must not run, whatever its failure class.
Condition = Literal["session_running", "anarchy_transitioning", "cluster_unreachable", "lab_stale"]


class ParamSpec(BaseModel):
    """One typed parameter of an action, checked before any request is created."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["dns_label", "dns_subdomain", "int", "uuid", "choice"]
    description: str = ""
    required: bool = True
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    default: str | int | None = None

    @model_validator(mode="after")
    def _choices_only_for_choice(self) -> ParamSpec:
        if (self.type == "choice") != bool(self.choices):
            raise ValueError("choices are required for type choice, and only for it")
        return self


class ActionDef(BaseModel):
    """One catalog action: what it does, how risky it is, and when it may run."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: ActionId
    description: str = Field(min_length=1)
    risk: Risk
    scope: Scope
    method: Method | None = None  # None: diagnostic, recommend-only
    operation: str | None = None
    fixed: dict[str, str | int] = Field(default_factory=dict)
    parameters: dict[str, ParamSpec] = Field(default_factory=dict)
    allowed_when: tuple[ClassId, ...] = Field(min_length=1)
    forbidden_when: tuple[Condition, ...] = ()
    requires_approval: bool = False
    session_safe: bool = False
    undoable: bool = False
    steps: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _diagnostic_or_executable(self) -> ActionDef:
        if self.method is None:
            if self.operation is not None or not self.steps:
                raise ValueError("a diagnostic action (no method) needs steps and no operation")
        elif self.operation not in OPERATIONS[self.method]:
            allowed = ", ".join(sorted(OPERATIONS[self.method]))
            raise ValueError(f"operation must be one of {allowed} for method {self.method.value}")
        return self

    @property
    def diagnostic(self) -> bool:
        return self.method is None


class Catalog(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    actions: tuple[ActionDef, ...]

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalog:
        seen: set[str] = set()
        for action in self.actions:
            if action.id in seen:
                raise ValueError(f"duplicate action id {action.id!r}")
            seen.add(action.id)
        return self

    def get(self, action_id: str) -> ActionDef:
        for action in self.actions:
            if action.id == action_id:
                return action
        raise KeyError(action_id)


class CatalogFileError(Exception):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


def _location(catalog_data: object, loc: tuple[int | str, ...]) -> str:
    """`actions[3].risk` reads better as `actions[restart-pod].risk`."""
    parts: list[str] = []
    node = catalog_data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            ident = node.get("id") if isinstance(node, dict) else None
            parts[-1] += f"[{ident or part}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return ".".join(parts)


def catalog_parse(path: Path, text: str) -> Catalog:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogFileError(path, f"invalid YAML: {exc}") from exc
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CatalogFileError(path, f"{_location(data, first['loc'])}: {first['msg']}") from exc


def catalog_load(path: Path, *, failure_classes: Collection[str] | None = None) -> Catalog:
    """The catalog at `path`, each `allowed_when` checked against `failure_classes` (by default
    the rubric folder's failure_classes.yaml)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogFileError(path, f"not UTF-8 text (byte {exc.start}: {exc.reason})") from exc
    except OSError as exc:
        raise CatalogFileError(path, f"unreadable: {exc}") from exc
    catalog = catalog_parse(path, text)
    known = set(failure_classes if failure_classes is not None else _rubric_failure_classes())
    for action in catalog.actions:
        for index, class_id in enumerate(action.allowed_when):
            if class_id not in known:
                field = f"actions[{action.id}].allowed_when[{index}]"
                raise CatalogFileError(path, f"{field}: unknown failure class {class_id!r}")
    return catalog


def _rubric_failure_classes() -> set[str]:
    from django.conf import settings

    from rubrics_app.loader import (
        CLASSIFICATION_RULES_FILE,
        FAILURE_CLASSES_FILE,
        RubricFileError,
        classification_rules_load,
        failure_classes_load,
    )

    directory = Path(settings.RUBRICS_DIR)
    try:
        classes = failure_classes_load(directory / FAILURE_CLASSES_FILE)
        promoted = directory / CLASSIFICATION_RULES_FILE  # novel classes promoted from review
        if promoted.exists():
            classes |= {c.id: c for c in classification_rules_load(promoted, classes).classes}
        return set(classes)
    except RubricFileError as exc:
        raise CatalogFileError(exc.path, f"{exc.field}: {exc.detail}") from exc


def parameters_validate(action: ActionDef, given: dict[str, object]) -> dict[str, str | int]:
    """Typed, validated parameters for one request; raises ValueError naming the parameter."""
    unknown = set(given) - set(action.parameters)
    if unknown:
        raise ValueError(f"unknown parameters: {', '.join(sorted(unknown))}")
    clean: dict[str, str | int] = {}
    for name, spec in action.parameters.items():
        value = given.get(name, spec.default)
        if value is None:
            if spec.required:
                raise ValueError(f"{name}: required")
            continue
        clean[name] = _param_value(name, spec, value)
    return clean


def _param_value(name: str, spec: ParamSpec, value: object) -> str | int:
    if spec.type == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name}: must be an integer")
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            raise ValueError(f"{name}: out of range [{spec.minimum}, {spec.maximum}]")
        return value
    if not isinstance(value, str):
        raise ValueError(f"{name}: must be a string")
    if spec.type == "dns_label" and not is_dns_label(value):
        raise ValueError(f"{name}: must be a DNS label")
    if spec.type == "dns_subdomain" and not is_dns_subdomain(value):
        raise ValueError(f"{name}: must be a DNS subdomain")
    if spec.type == "uuid" and not UUID_RE.fullmatch(value):
        raise ValueError(f"{name}: must be a lowercase UUID")
    if spec.type == "choice" and value not in spec.choices:
        raise ValueError(f"{name}: must be one of {', '.join(spec.choices)}")
    return value
