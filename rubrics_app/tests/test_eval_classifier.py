"""`manage.py eval_classifier` against the simulated LLM: the generated fleet's failure kinds
with their classes hidden, plus reviewed cases; accuracy, confusion matrix, cost, latency."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from rubrics_app.classification import proposals as review
from rubrics_app.classification.candidates import candidates_classify
from rubrics_app.classification.evalset import generated_cases
from rubrics_app.models import ClassificationProposal, LLMCall
from simulator.evalset import failure_evidence
from simulator.llm import Fault

from .classification_fixtures import reviewer, scan, unexplained

pytestmark = pytest.mark.django_db


def test_the_generated_cases_hide_the_deterministic_class(db: None) -> None:
    cases = {c.name: c for c in generated_cases(failure_evidence())}
    assert cases["crashloop"].expected == "crashloop"
    assert cases["imagepull"].expected == "image-pull-failed"
    assert len(cases) >= 15  # every lab failure kind that ends in a failed or warned verdict
    for case in cases.values():
        failure = case.bundle["failure"]
        assert failure["class_source"] == "default"
        assert case.expected not in str(failure)  # the label is nowhere in the failure section


def _run(*args: str) -> str:
    out = StringIO()
    call_command("eval_classifier", *args, stdout=out)
    return out.getvalue()


def test_it_prints_accuracy_confusion_cost_and_latency(lab_instance: Any, llm: Any) -> None:
    scan(lab_instance, unexplained(reason="KeyringLocked"))
    candidates_classify(log_tail=lambda *_: {})
    proposal = ClassificationProposal.objects.get()
    review.proposal_correct(
        proposal=proposal, reviewer=reviewer(), failure_class="secret-store-locked", reason="x"
    )
    out = _run("--model", "openai/granite-sim-b")
    generated = len(generated_cases(failure_evidence()))
    assert f"{generated + 1} labelled cases through openai/granite-sim-b" in out
    assert "accuracy" in out and "generated: " in out and "recorded: 0/1" in out
    assert "latency: mean" in out and "cost $" in out
    assert "✗ secret-store-locked" in out and "✓ crashloop" in out
    calls = LLMCall.objects.filter(fingerprint__startswith="eval:")
    assert calls.count() == generated + 1  # one call per case, the cache never answers
    assert {r.body["model"] for r in llm.requests[-generated:]} == {"granite-sim-b"}


def test_a_refused_or_failed_answer_counts_as_wrong(db: None, llm: Any) -> None:
    llm.script(Fault("hallucinated_class"), Fault("http_500"), Fault("http_500"), Fault("http_500"))
    out = _run("--no-recorded", "--limit", "2")
    assert "→ (refused): 1" in out and "→ (error): 1" in out
    assert "2 cases, 0 correct, accuracy 0.0%" in out


def test_without_an_endpoint_it_says_so(db: None, settings: Any) -> None:
    settings.LLM_API_BASE = ""
    with pytest.raises(CommandError, match="cannot be asked"):
        _run("--no-recorded", "--limit", "1")
