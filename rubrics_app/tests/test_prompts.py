from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from rubrics_app.prompts import PromptFileError, active_prompts_clear, prompt_set_load

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for path in PROMPTS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_it_loads_the_project_prompts(prompt_set):
    assert {"classify", "explain", "investigate"} <= set(prompt_set.prompts)
    classify = prompt_set.get("classify")
    schema = classify.response.answer_schema()
    assert schema is not None
    assert set(schema["required"]) == {"proposed_class", "conditions", "confidence", "reasoning"}
    assert schema["additionalProperties"] is False
    assert prompt_set.get("explain").response.format == "prose"


def test_it_rejects_an_unknown_key_naming_file_and_field(folder):
    _edit(folder / "classify.yaml", "temperature: 0.1", "temperature: 0.1\ntemprature: 0.2")
    with pytest.raises(PromptFileError, match=r"classify\.yaml: temprature: Extra inputs"):
        prompt_set_load(folder)


def test_it_rejects_a_template_placeholder_that_is_not_declared(folder):
    _edit(folder / "explain.yaml", "Failure class: {failure_class}", "Class: {klass}")
    with pytest.raises(PromptFileError, match=r"explain\.yaml: .*placeholders differ"):
        prompt_set_load(folder)


def test_it_rejects_a_template_without_evidence(folder):
    _edit(
        folder / "explain.yaml",
        "placeholders: [failure_class, evidence]",
        "placeholders: [failure_class]",
    )
    with pytest.raises(PromptFileError, match=r"explain\.yaml: .*'evidence'"):
        prompt_set_load(folder)


def test_it_rejects_an_unknown_response_model(folder):
    _edit(folder / "classify.yaml", "model: ClassifyAnswer", "model: os.system")
    with pytest.raises(PromptFileError, match=r"classify\.yaml: response: .*unknown model"):
        prompt_set_load(folder)


def test_it_accepts_a_json_schema_in_the_file_and_rejects_an_invalid_one(folder):
    path = folder / "investigate.yaml"
    _edit(path, "model: InvestigateAnswer", "json_schema: {type: object, required: [verdict]}")
    assert prompt_set_load(folder).get("investigate").response.json_schema is not None
    _edit(path, "type: object", "type: thing")
    with pytest.raises(
        PromptFileError, match=r"investigate\.yaml: response: .*invalid JSON Schema"
    ):
        prompt_set_load(folder)


def test_it_rejects_a_non_utf8_file(folder):
    (folder / "explain.yaml").write_bytes("purpose: caf\xe9\n".encode("latin-1"))
    with pytest.raises(PromptFileError, match=r"explain\.yaml: \(file\): not UTF-8"):
        prompt_set_load(folder)


def test_it_rejects_an_id_that_differs_from_the_file_name(folder):
    _edit(folder / "explain.yaml", "id: explain", "id: explainer")
    with pytest.raises(PromptFileError, match=r"explain\.yaml: id: "):
        prompt_set_load(folder)


def test_it_requires_the_three_prompts(folder):
    (folder / "investigate.yaml").unlink()
    with pytest.raises(PromptFileError, match="'investigate' prompt is missing"):
        prompt_set_load(folder)


def test_validate_prompts_reports_the_valid_prompts():
    out = StringIO()
    call_command("validate_prompts", stdout=out)
    assert "3 prompts are valid" in out.getvalue()


def test_validate_prompts_exits_non_zero_naming_file_and_field(folder):
    _edit(folder / "classify.yaml", "max_tokens: 500", "max_tokens: lots")
    with pytest.raises(CommandError, match=r"classify\.yaml: max_tokens: "):
        call_command("validate_prompts", "--prompts", str(folder))


def test_it_makes_manage_py_check_fail_on_an_invalid_prompt_set(folder, settings):
    _edit(folder / "classify.yaml", "max_tokens: 500", "max_tokens: lots")
    settings.PROMPTS_DIR = folder
    try:
        with pytest.raises(SystemCheckError, match=r"rubrics\.E002.*classify\.yaml"):
            call_command("check")
    finally:
        active_prompts_clear()


def test_it_refuses_to_migrate_with_an_invalid_prompt_set(folder, tmp_path):
    import os
    import subprocess
    import sys

    _edit(folder / "classify.yaml", "max_tokens: 500", "max_tokens: lots")
    env = {**os.environ, "STARGATE_PROMPTS_DIR": str(folder), "STARGATE_DATA_DIR": str(tmp_path)}
    env.pop("STARGATE_DATABASE_URL", None)
    env.pop("STARGATE_REDIS_URL", None)
    command = [sys.executable, "manage.py", "migrate"]
    root = PROMPTS_DIR.parent
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "rubrics.E002" in done.stderr
