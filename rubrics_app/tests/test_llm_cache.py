from __future__ import annotations

import pytest

from rubrics_app.llm.cache import cache_store, cached_answer
from rubrics_app.llm.classify import classification_answer
from rubrics_app.llm.signature import failure_signature
from rubrics_app.models import LLMCacheEntry, LLMCall
from simulator.llm import Fault

KNOWN = ["crashloop", "oom-killed"]


def _failure(namespace: str, pod: str, restarts: int) -> tuple[str, dict]:
    evidence = {
        "rubric": "workload-ready",
        "message": f"pod {pod} in {namespace} restarted {restarts} times",
        "reason": "CrashLoopBackOff",
    }
    signature = failure_signature(
        rubric_id="workload-ready",
        criterion="pods-running",
        kind="Pod",
        reason="CrashLoopBackOff",
        message=evidence["message"],
        evidence=evidence,
        lab_names=[namespace],
    )
    return signature, evidence


def test_the_same_failure_on_many_labs_costs_one_model_call(db, llm, prompt_set):
    labs = [
        ("sandbox-a1b2c-ocp", "web-7d9f8b6c5d-x2k9p", 3),
        ("sandbox-z9y8x-ocp", "web-5c8d7f9b4a-q7m2n", 17),
    ]
    outcomes = []
    for namespace, pod, restarts in labs * 3:
        signature, evidence = _failure(namespace, pod, restarts)
        outcomes.append(
            classification_answer(
                prompt=prompt_set.get("classify"),
                signature=signature,
                evidence=evidence,
                known_classes=KNOWN,
            )
        )
    assert len(llm.requests) == 1 and LLMCall.objects.count() == 1
    assert [o.cached for o in outcomes] == [False] + [True] * 5
    assert {o.answer["proposed_class"] for o in outcomes} == {"crashloop"}
    assert LLMCacheEntry.objects.get().hits == 5


def test_a_new_prompt_version_or_model_asks_again(db, llm, prompt_set, settings):
    prompt = prompt_set.get("classify")
    signature, evidence = _failure("sandbox-a1b2c-ocp", "web-1", 1)
    kwargs = {"signature": signature, "evidence": evidence, "known_classes": KNOWN}
    classification_answer(prompt=prompt, **kwargs)
    classification_answer(prompt=prompt.model_copy(update={"version": "1.1"}), **kwargs)
    settings.LLM_MODEL = "openai/other-model"
    classification_answer(prompt=prompt, **kwargs)
    assert len(llm.requests) == 3 and LLMCacheEntry.objects.count() == 3


@pytest.mark.smoke
def test_a_rejected_answer_is_not_cached(db, llm, prompt_set):
    signature, evidence = _failure("sandbox-a1b2c-ocp", "web-1", 1)
    llm.script(Fault("hallucinated_class"))
    prompt = prompt_set.get("classify")
    kwargs = {"signature": signature, "evidence": evidence, "known_classes": KNOWN}
    rejected = classification_answer(prompt=prompt, **kwargs)
    assert not rejected.accepted and rejected.verdict.outcome == "RED"
    assert not LLMCacheEntry.objects.exists()
    assert classification_answer(prompt=prompt, **kwargs).accepted  # asks again


def test_the_first_stored_answer_wins(db, prompt_set):
    prompt = prompt_set.get("classify")
    cache_store(signature="s" * 64, prompt=prompt, answer={"n": 1}, call=None)
    cache_store(signature="s" * 64, prompt=prompt, answer={"n": 2}, call=None)
    assert cached_answer(signature="s" * 64, prompt=prompt) == {"n": 1}
