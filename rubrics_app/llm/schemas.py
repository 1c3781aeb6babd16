"""Response models a prompt file may name (`response.model`): the answer contracts in code."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CLASS_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def class_name_normalize(value: str) -> str:
    """`PVC_Binding_Failed` → `pvc-binding-failed`: a model answering in snake_case is normalized,
    not rejected (spec 16.3)."""
    return re.sub(r"[\s_]+", "-", value.strip()).lower()


class ClassifyAnswer(BaseModel):
    """The answer contract of spec 16.3: four keys, no others."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    proposed_class: str = Field(max_length=100)
    conditions: list[str] = Field(max_length=20)
    confidence: float = Field(ge=0, le=1)
    reasoning: str = Field(max_length=2000)

    @field_validator("proposed_class", mode="before")
    @classmethod
    def _normalize(cls, value: Any) -> Any:
        return class_name_normalize(value) if isinstance(value, str) else value

    @field_validator("proposed_class")
    @classmethod
    def _naming(cls, value: str) -> str:
        if not CLASS_NAME.match(value):
            raise ValueError("must be lower-case words joined by hyphens")
        return value


class InvestigateAnswer(BaseModel):
    """The investigation agent's final answer (spec 19.3, the fields StarGate extracts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    verdict: Literal["TRANSIENT", "ACTIONABLE", "UNKNOWN"]
    root_cause: str = Field(max_length=500)
    # A known class the cause fits (its catalog action is StarGate's to look up), or empty.
    failure_class: str = Field(default="", max_length=100)
    remediation_suggestion: str = Field(default="", max_length=2000)
    cited_evidence: list[str] = Field(default_factory=list, max_length=20)


RESPONSE_MODELS: dict[str, type[BaseModel]] = {
    "ClassifyAnswer": ClassifyAnswer,
    "InvestigateAnswer": InvestigateAnswer,
}


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema, as `response_format` sends it."""
    return model.model_json_schema()
