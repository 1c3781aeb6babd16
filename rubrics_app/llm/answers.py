"""Parsing and validating a model's answer against its prompt's response contract (pure)."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
from pydantic import ValidationError

from rubrics_app.prompts import ResponseSpec

from .schemas import RESPONSE_MODELS

_FENCE = re.compile(r"^```(?:json)?\s*\n(?P<body>.*)\n```$", re.S)


class AnswerInvalid(ValueError):
    """The answer is not JSON, or breaks the schema; the message says how (for the repair turn)."""


def json_parse(text: str) -> Any:
    """The JSON value of `text`, allowing one surrounding Markdown code fence."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    try:
        return json.loads(fenced["body"] if fenced else stripped)
    except ValueError as exc:
        raise AnswerInvalid(f"not valid JSON: {exc}") from None


def answer_validate(spec: ResponseSpec, text: str) -> dict[str, Any]:
    """The validated (and, for pydantic contracts, normalized) JSON object of a JSON answer."""
    data = json_parse(text)
    if not isinstance(data, dict):
        raise AnswerInvalid("the answer must be one JSON object")
    if spec.model is not None:
        try:
            return RESPONSE_MODELS[spec.model].model_validate(data).model_dump(mode="json")
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(root)"
            raise AnswerInvalid(f"schema: {field}: {first['msg']}") from None
    schema = spec.json_schema or {}
    try:
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError as exc:
        field = ".".join(str(p) for p in exc.absolute_path) or "(root)"
        raise AnswerInvalid(f"schema: {field}: {exc.message}") from None
    return data
