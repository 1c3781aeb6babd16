"""Classification of what the rules cannot explain, through the simulated LLM: class source,
candidates queued after the commit, proposals, review, the confirmed class the gates read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django_q.conf import Conf

from labs.models import LabInstance, Status
from rubrics_app.classification import proposals as review
from rubrics_app.classification.candidates import candidate_verdicts, candidates_classify
from rubrics_app.models import ClassificationProposal, Evaluation, LLMCall
from simulator.llm import Fault

from .builders import pod
from .classification_fixtures import NOW, reviewer, scan, unexplained

RUBRIC = "deployment-ready"


def _verdict(lab: Any) -> Evaluation:
    return Evaluation.objects.get(lab_instance=lab, rubric_id=RUBRIC)


@pytest.mark.smoke
def test_each_verdict_records_where_its_class_came_from(lab_instance: Any) -> None:
    scan(lab_instance, unexplained())
    assert (_verdict(lab_instance).failure_class, _verdict(lab_instance).class_source) == (
        "deployment-not-ready",
        "default",
    )
    crash = unexplained()
    crash["objects"]["pods"] = [pod("web-1", waiting="CrashLoopBackOff")]
    scan(lab_instance, crash, NOW + timedelta(minutes=1))
    assert (_verdict(lab_instance).failure_class, _verdict(lab_instance).class_source) == (
        "crashloop",
        "rule",
    )
    assert (
        Evaluation.objects.get(lab_instance=lab_instance, rubric_id="run-created").class_source
        == ""
    )


@pytest.mark.smoke
def test_candidates_are_queued_after_the_commit_never_inside_the_scan(
    lab_instance: Any, llm: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)  # the queued task runs here, when queued
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        scan(lab_instance, unexplained())
    assert not llm.requests and not ClassificationProposal.objects.exists()  # not in the scan
    for callback in callbacks:
        callback()
    proposal = ClassificationProposal.objects.get()
    assert len(llm.requests) == 1
    assert (proposal.rubric_id, proposal.original_class) == (RUBRIC, "deployment-not-ready")
    assert proposal.call is not None and proposal.cost_usd == proposal.call.cost_usd > 0
    verdict = _verdict(lab_instance)
    assert (verdict.failure_class, verdict.class_source) == (proposal.proposed_class, "llm")
    assert not candidate_verdicts().exists()


@pytest.mark.smoke
def test_a_failure_a_rule_classifies_is_never_a_candidate(lab_instance: Any, llm: Any) -> None:
    crash = unexplained()
    crash["objects"]["pods"] = [pod("web-1", waiting="CrashLoopBackOff")]
    scan(lab_instance, crash)
    assert not candidate_verdicts().exists()
    assert candidates_classify() == 0 and not llm.requests


@pytest.mark.smoke
def test_an_llm_that_is_down_never_blocks_the_scan(
    lab_instance: Any, llm: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)
    llm.always(Fault("http_500"))
    with django_capture_on_commit_callbacks(execute=True):
        done = scan(lab_instance, unexplained())
    lab_instance.refresh_from_db()
    assert done.result.status.value == lab_instance.status == Status.FAILED
    assert not ClassificationProposal.objects.exists()
    assert LLMCall.objects.get().outcome == LLMCall.Outcome.SERVER_ERROR
    assert candidate_verdicts().count() == 1  # it waits; nothing is lost


@pytest.mark.smoke
def test_a_stopped_llm_endpoint_never_blocks_the_scan(
    lab_instance: Any, llm: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)
    llm.stop()
    with django_capture_on_commit_callbacks(execute=True):
        done = scan(lab_instance, unexplained())
    assert done.result.status.value == Status.FAILED
    assert _verdict(lab_instance).class_source == "default"
    assert LLMCall.objects.get().outcome == LLMCall.Outcome.CONNECTION_ERROR
    assert candidate_verdicts().count() == 1


def _proposed(lab: Any) -> ClassificationProposal:
    scan(lab, unexplained())
    assert candidates_classify(log_tail=lambda *_: {}) == 1
    return ClassificationProposal.objects.get()


@pytest.mark.smoke
def test_accepting_confirms_the_class_and_the_next_scan_keeps_it(
    lab_instance: Any, llm: Any
) -> None:
    proposal = _proposed(lab_instance)
    user = reviewer()
    review.proposal_accept(proposal=proposal, reviewer=user, reason="matches the pod status")
    verdict = _verdict(lab_instance)
    assert (verdict.failure_class, verdict.class_source) == (proposal.proposed_class, "human")
    lab_instance.refresh_from_db()
    assert lab_instance.failure_class == proposal.proposed_class
    scan(lab_instance, unexplained(), NOW + timedelta(minutes=5))
    assert _verdict(lab_instance).class_source == "human"  # the scan does not reset it
    # The failure clears, then comes back: the review no longer holds.
    healthy = unexplained()
    healthy["objects"]["pods"], healthy["objects"]["deployments"] = [], []
    scan(lab_instance, healthy, NOW + timedelta(minutes=10))
    scan(lab_instance, unexplained(), NOW + timedelta(minutes=15))
    assert _verdict(lab_instance).class_source == "default"
    # A conflicting second decision is refused; the same one is a no-op.
    review.proposal_accept(proposal=proposal, reviewer=user, reason="again")
    with pytest.raises(review.ReviewRefused):
        review.proposal_reject(proposal=proposal, reviewer=user, reason="changed my mind")


@pytest.mark.smoke
def test_correcting_names_a_class_and_rejecting_restores_the_rubric_s(
    lab_instance: Any, llm: Any
) -> None:
    proposal = _proposed(lab_instance)
    user = reviewer()
    with pytest.raises(review.ReviewRefused):
        review.proposal_correct(
            proposal=proposal, reviewer=user, failure_class="Bad Name!", reason="x"
        )
    review.proposal_correct(
        proposal=proposal, reviewer=user, failure_class="keyring_locked", reason="new kind"
    )
    verdict = _verdict(lab_instance)
    assert (verdict.failure_class, verdict.class_source) == ("keyring-locked", "human")
    assert verdict.recommended_action == ""  # novel: no action but a diagnostic one, once promoted

    ClassificationProposal.objects.all().delete()
    scan(lab_instance, unexplained(), NOW + timedelta(minutes=1))
    second = _proposed_again(lab_instance)
    review.proposal_reject(proposal=second, reviewer=user, reason="wrong")
    verdict = _verdict(lab_instance)
    assert (verdict.failure_class, verdict.class_source) == ("deployment-not-ready", "default")


def _proposed_again(lab: Any) -> ClassificationProposal:
    Evaluation.objects.filter(lab_instance=lab).update(class_source="default")
    Evaluation.objects.filter(lab_instance=lab, rubric_id=RUBRIC).update(
        failure_class="deployment-not-ready"
    )
    assert candidates_classify(log_tail=lambda *_: {}) == 1
    return ClassificationProposal.objects.get()


@pytest.mark.smoke
def test_an_unreviewed_llm_class_is_unconfirmed_for_the_remediation_gates(
    lab_instance: Any, llm: Any
) -> None:
    from django.core.management import call_command

    from remediation.models import ActionRequest
    from remediation.proposals import labs_remediate_from_verdicts

    call_command("load_catalog", verbosity=0)
    proposal = _proposed(lab_instance)
    Evaluation.objects.filter(pk=_verdict(lab_instance).pk).update(
        failure_class="crashloop", recommended_action="restart-pod"
    )  # the model named a class with an executable action
    labs_remediate_from_verdicts()
    assert ActionRequest.objects.get().confirmed is False
    review.proposal_correct(
        proposal=proposal, reviewer=reviewer(), failure_class="crashloop", reason="crash loop"
    )
    # The same failure on another lab: the review holds for its signature, no new model call.
    other = LabInstance.objects.create(
        cluster=lab_instance.cluster, namespace="sandbox-xyz-lab", lab=lab_instance.lab
    )
    scan(other, unexplained())
    calls = len(llm.requests)
    assert candidates_classify(log_tail=lambda *_: {}) == 1 and len(llm.requests) == calls
    assert ClassificationProposal.objects.get(lab_instance=other).status == "corrected"
    assert _verdict(other).class_source == "human"
    labs_remediate_from_verdicts()
    assert ActionRequest.objects.get(lab_instance=other).confirmed is True
