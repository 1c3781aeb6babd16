"""Prompts as reviewed data: `prompts/*.yaml`, validated once at load into frozen models.

A prompt file names its response contract: a pydantic model in code (`response.model`, one of
`llm.schemas.RESPONSE_MODELS`), a JSON Schema in the file (`response.json_schema`), or prose
(`response.format: prose`, with length bounds). The user template names its placeholders as
`{name}`; any other brace is literal text, so templates may show JSON examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jsonschema
from django.conf import settings
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .llm.schemas import RESPONSE_MODELS
from .loader import RubricFileError, read_yaml_mapping

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
REQUIRED_PLACEHOLDER = "evidence"


class PromptFileError(RubricFileError):
    """A prompt file that does not load; the message names the file and the field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ResponseSpec(_Frozen):
    format: Literal["json", "prose"]
    model: str | None = None
    json_schema: dict[str, Any] | None = None
    min_chars: int = Field(default=1, ge=1)
    max_chars: int = Field(default=4000, ge=1, le=100_000)

    @model_validator(mode="after")
    def _one_contract(self) -> ResponseSpec:
        given = (self.model is not None) + (self.json_schema is not None)
        if self.format == "json" and given != 1:
            raise ValueError("a json response names exactly one of model or json_schema")
        if self.format == "prose" and given:
            raise ValueError("a prose response has no model or json_schema")
        if self.model is not None and self.model not in RESPONSE_MODELS:
            raise ValueError(f"unknown model {self.model!r} (known: {', '.join(RESPONSE_MODELS)})")
        if self.json_schema is not None:
            try:
                jsonschema.Draft202012Validator.check_schema(self.json_schema)
            except jsonschema.SchemaError as exc:
                raise ValueError(f"invalid JSON Schema: {exc.message}") from None
        if self.min_chars > self.max_chars:
            raise ValueError("min_chars is above max_chars")
        return self

    def answer_schema(self) -> dict[str, Any] | None:
        """The JSON Schema of the answer (None for prose)."""
        if self.model is not None:
            return RESPONSE_MODELS[self.model].model_json_schema()
        return self.json_schema


class PromptDef(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
    version: str = Field(pattern=r"^\d+(\.\d+)*$")
    purpose: str = Field(min_length=1)
    model: str | None = None  # overrides STARGATE_LLM_MODEL for this prompt
    max_tokens: int = Field(ge=1, le=32_000)
    temperature: float = Field(ge=0, le=2)
    timeout_seconds: int | None = Field(default=None, ge=1, le=600)
    max_chars_per_value: int = Field(default=6000, ge=100, le=100_000)
    system: str = Field(min_length=1)
    user_template: str = Field(min_length=1)
    placeholders: tuple[str, ...]
    response: ResponseSpec

    @model_validator(mode="after")
    def _placeholders_match(self) -> PromptDef:
        used = set(PLACEHOLDER.findall(self.user_template))
        declared = set(self.placeholders)
        if REQUIRED_PLACEHOLDER not in declared:
            raise ValueError("placeholders must include 'evidence'")
        if used != declared:
            missing, unused = sorted(declared - used), sorted(used - declared)
            raise ValueError(
                f"placeholders differ from the template: unused {missing}, undeclared {unused}"
            )
        return self


@dataclass(frozen=True)
class PromptSet:
    prompts: dict[str, PromptDef]
    directory: Path

    def get(self, prompt_id: str) -> PromptDef:
        try:
            return self.prompts[prompt_id]
        except KeyError:
            raise KeyError(f"no prompt {prompt_id!r} in {self.directory}") from None


REQUIRED_PROMPTS = ("classify", "explain", "investigate")


def prompt_load(path: Path) -> PromptDef:
    data = read_yaml_mapping(path, error=PromptFileError)
    try:
        prompt = PromptDef.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise PromptFileError(path, field, first["msg"]) from exc
    if prompt.id != path.stem:
        raise PromptFileError(path, "id", f"{prompt.id!r} does not match the file name")
    return prompt


def prompt_set_load(directory: Path) -> PromptSet:
    prompts = {p.id: p for p in map(prompt_load, sorted(directory.glob("*.yaml")))}
    for missing in (p for p in REQUIRED_PROMPTS if p not in prompts):
        raise PromptFileError(directory, "(folder)", f"the {missing!r} prompt is missing")
    return PromptSet(prompts=prompts, directory=directory)


@cache
def _load(directory: Path) -> PromptSet:
    return prompt_set_load(directory)


def active_prompts() -> PromptSet:
    return _load(Path(settings.PROMPTS_DIR))


def active_prompts_clear() -> None:
    _load.cache_clear()
