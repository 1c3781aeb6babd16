"""What the engine answers: outcomes, per-criterion and per-rubric results, and their JSON form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from .semantics.common import ObjectHealth


class Outcome(StrEnum):
    """Same values as `labs.models.Status`, so the service stores them as they are."""

    READY = "ready"
    PROGRESSING = "progressing"
    WARN = "warn"
    UNKNOWN = "unknown"
    STALE = "stale"
    FAILED = "failed"


SEVERITY = {outcome: rank for rank, outcome in enumerate(Outcome)}


def worst(outcomes: list[Outcome]) -> Outcome:
    return max(outcomes, key=SEVERITY.__getitem__, default=Outcome.UNKNOWN)


class Seen(NamedTuple):
    """When the engine first saw an object progressing, at which progress marker."""

    since: datetime
    marker: str = ""


class ClassSource(StrEnum):
    """Where a verdict's class came from: a rubric's or a promoted rule, the rubric's default,
    the engine itself (stale, evidence missing), a model's proposal or a human's review."""

    RULE = "rule"
    DEFAULT = "default"
    ENGINE = "engine"
    LLM = "llm"
    HUMAN = "human"


class CarriedClass(NamedTuple):
    """A class a proposal or a review gave one failure: it holds while the engine sees the same
    failure (same fingerprint) and no rule classifies it."""

    fingerprint: str
    failure_class: str
    source: ClassSource


@dataclass(frozen=True)
class PreviousState:
    """What the engine remembers between scans (the service stores it with the Evaluations)."""

    seen: Mapping[str, Seen] = field(default_factory=dict)
    classes: Mapping[str, CarriedClass] = field(default_factory=dict)  # by rubric id


def _object_json(obj: ObjectHealth) -> dict[str, Any]:
    return {
        "ref": obj.ref,
        "status": obj.status.value,
        "reason": obj.reason,
        "message": obj.message,
        "since": obj.since.isoformat() if obj.since else None,
    }


class CriterionResult(NamedTuple):
    id: str
    required: bool
    outcome: Outcome
    reason: str = ""
    message: str = ""
    since: datetime | None = None
    timed_out: bool = False
    deciding: ObjectHealth | None = None
    evidence: tuple[ObjectHealth, ...] = ()  # the objects that are not ready
    checked: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "required": self.required,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "message": self.message,
            "since": self.since.isoformat() if self.since else None,
            "timed_out": self.timed_out,
            "checked": self.checked,
            "evidence": [_object_json(obj) for obj in self.evidence],
        }


class RubricOutcome(NamedTuple):
    rubric_id: str
    version: int
    outcome: Outcome
    reason: str
    failure_class: str
    action: str
    object_ref: str
    fingerprint: str
    criteria: tuple[CriterionResult, ...]
    class_source: str = ""  # a ClassSource value, "" when there is no class
    class_rule: str = ""  # the promoted rule that classified it: "<id>@v<version>"

    def evidence_excerpt(self) -> list[dict[str, Any]]:
        return [_object_json(obj) for c in self.criteria for obj in c.evidence]


@dataclass(frozen=True)
class LabEvaluation:
    lab: str
    status: Outcome
    failure_class: str
    rubrics: tuple[RubricOutcome, ...]
    seen: dict[str, Seen]

    def rubric(self, rubric_id: str) -> RubricOutcome:
        return next(r for r in self.rubrics if r.rubric_id == rubric_id)
