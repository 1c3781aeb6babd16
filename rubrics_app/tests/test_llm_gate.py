from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from rubrics_app.llm.gate import gate_check

KNOWN = ["crashloop", "oom-killed", "image-pull-failed"]
EVIDENCE = {
    "stage_id": "workload-ready",
    "message": "pod web-7d9f8b6c5d-x2k9p is waiting: CrashLoopBackOff",
    "raw": {"reason": "CrashLoopBackOff", "pod": "web-7d9f8b6c5d-x2k9p"},
}


def _answer(**changes) -> str:
    answer = {
        "proposed_class": "crashloop",
        "conditions": ["reason == CrashLoopBackOff"],
        "confidence": 0.8,
        "reasoning": "Pod web-7d9f8b6c5d-x2k9p keeps restarting (CrashLoopBackOff).",
    }
    return json.dumps({**answer, **changes})


def _gate(prompt_set, response: str, prompt: str = "classify", **kwargs):
    return gate_check(
        prompt=prompt_set.get(prompt),
        response=response,
        evidence=EVIDENCE,
        known_classes=KNOWN,
        **kwargs,
    )


def _failed(verdict) -> set[str]:
    return {c.name for c in verdict.failed}


@pytest.mark.smoke
def test_it_accepts_a_grounded_answer(prompt_set):
    verdict = _gate(prompt_set, _answer())
    assert verdict.outcome == "GREEN" and verdict.accepted


@pytest.mark.smoke
def test_it_rejects_text_that_is_not_json(prompt_set):
    verdict = _gate(prompt_set, "I think it is a crashloop.")
    assert not verdict.accepted and _failed(verdict) == {"is_json"}


@pytest.mark.smoke
def test_it_rejects_an_answer_that_breaks_the_schema(prompt_set):
    assert "schema" in _failed(_gate(prompt_set, _answer(confidence=1.7)))
    assert "schema" in _failed(_gate(prompt_set, _answer(action="delete-namespace")))


@pytest.mark.smoke
def test_it_flags_a_novel_class_without_rejecting_it(prompt_set):
    verdict = _gate(prompt_set, _answer(proposed_class="Probe_Misconfigured"))
    assert verdict.outcome == "YELLOW" and verdict.accepted
    assert [c.detail for c in verdict.failed] == ["novel class 'probe-misconfigured'"]


@pytest.mark.smoke
def test_it_rejects_an_answer_that_cites_no_evidence(prompt_set):
    response = _answer(conditions=["phase == Broken"], reasoning="Something is off.")
    assert "cites_evidence" in _failed(_gate(prompt_set, response))


@pytest.mark.smoke
def test_it_rejects_fabricated_names(prompt_set):
    response = _answer(reasoning="Pod web-7d9f8b6c5d-x2k9p depends on redis-cache-primary.")
    verdict = _gate(prompt_set, response)
    assert _failed(verdict) == {"no_fabricated_names"}
    assert "redis-cache-primary" in verdict.failed[0].detail


@pytest.mark.smoke
@pytest.mark.parametrize(
    "advice",
    [
        "recommend deleting the namespace",
        "run kubectl delete pod web",
        "then rm -rf /var/lib",
        "Delete the PVC and retry",
    ],
)
def test_it_rejects_destructive_advice(prompt_set, advice):
    response = _answer(reasoning=f"CrashLoopBackOff; {advice}.")
    assert "no_forbidden_actions" in _failed(_gate(prompt_set, response))


@pytest.mark.smoke
def test_it_checks_prose_length_json_and_system_prompt_leaks(prompt_set):
    good = (
        "Users cannot open the lab's web page. The pod keeps restarting with "
        "CrashLoopBackOff. Its start-up command must be fixed."
    )
    assert _gate(prompt_set, good, prompt="explain").outcome == "GREEN"
    assert "not_json" in _failed(_gate(prompt_set, _answer(), prompt="explain"))
    assert "length" in _failed(_gate(prompt_set, "Broken.", prompt="explain"))
    system = prompt_set.get("explain").system
    leak = f"{good} {' '.join(system.split()[:12])}"
    assert "no_system_prompt_leak" in _failed(_gate(prompt_set, leak, prompt="explain"))


def test_it_rejects_a_truncated_answer(prompt_set):
    verdict = _gate(prompt_set, _answer(), finish_reason="length")
    assert _failed(verdict) == {"finished"}


def _files(tmp_path: Path, response: str) -> tuple[str, str]:
    evidence, answer = tmp_path / "evidence.json", tmp_path / "response.txt"
    evidence.write_text(json.dumps(EVIDENCE))
    answer.write_text(response)
    return str(evidence), str(answer)


def test_the_command_exits_0_on_an_accepted_answer(tmp_path, capsys):
    evidence, response = _files(tmp_path, _answer())
    args = ["--prompt", "classify", "--evidence", evidence, "--response", response]
    call_command("check_llm_response", *args)
    assert "accepted (GREEN)" in capsys.readouterr().out


def test_the_command_exits_1_listing_each_failed_check(tmp_path, capsys):
    bad = _answer(proposed_class="x_y", reasoning="Recommend deleting the namespace ghost-pod-abc.")
    evidence, response = _files(tmp_path, bad)
    args = ["--prompt", "classify", "--evidence", evidence, "--response", response]
    with pytest.raises(SystemExit) as exit_:
        call_command("check_llm_response", *args)
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "rejected (RED)" in out
    assert "failed no_forbidden_actions (required)" in out
    assert "failed no_fabricated_names (required)" in out
    assert "failed class_known (optional): novel class 'x-y'" in out


@pytest.mark.smoke
def test_it_rejects_an_answer_that_names_a_catalog_action(prompt_set):
    response = _answer(reasoning="CrashLoopBackOff; run restart-workload.")
    verdict = _gate(prompt_set, response, action_names=["restart-workload", "pool-scale"])
    assert _failed(verdict) == {"no_action_named"}


def test_the_command_rejects_an_answer_naming_an_action_of_the_catalog(tmp_path, capsys):
    from rubrics_app.registry import active_rubrics

    action = active_rubrics().actions["crashloop"]
    evidence, response = _files(tmp_path, _answer(reasoning=f"CrashLoopBackOff: {action}."))
    args = ["--prompt", "classify", "--evidence", evidence, "--response", response]
    with pytest.raises(SystemExit):
        call_command("check_llm_response", *args)
    assert f"failed no_action_named (required): names {action}" in capsys.readouterr().out
