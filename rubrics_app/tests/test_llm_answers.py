from __future__ import annotations

import json

import pytest

from rubrics_app.llm.answers import AnswerInvalid, answer_validate
from rubrics_app.prompts import ResponseSpec

CLASSIFY = ResponseSpec(format="json", model="ClassifyAnswer")
ANSWER = {
    "proposed_class": "PVC_Binding_Failed",
    "conditions": ["pvc_bound == false"],
    "confidence": 0.82,
    "reasoning": "short",
}


def test_it_normalizes_a_snake_case_class():
    assert answer_validate(CLASSIFY, json.dumps(ANSWER))["proposed_class"] == "pvc-binding-failed"


def test_it_allows_one_code_fence():
    fenced = f"```json\n{json.dumps(ANSWER)}\n```"
    assert answer_validate(CLASSIFY, fenced)["confidence"] == 0.82


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "one JSON object"),
        (json.dumps({**ANSWER, "confidence": 2}), "schema: confidence: "),
        (json.dumps({**ANSWER, "action": "delete"}), "schema: action: Extra inputs"),
        (json.dumps({**ANSWER, "proposed_class": "9-lives"}), "schema: proposed_class: "),
    ],
)
def test_it_says_what_is_wrong(text, message):
    with pytest.raises(AnswerInvalid, match=message):
        answer_validate(CLASSIFY, text)


def test_it_validates_a_json_schema_from_the_file():
    spec = ResponseSpec(
        format="json",
        json_schema={"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
    )
    assert answer_validate(spec, '{"n": 3}') == {"n": 3}
    with pytest.raises(AnswerInvalid, match=r"schema: n: 'x' is not of type 'integer'"):
        answer_validate(spec, '{"n": "x"}')
