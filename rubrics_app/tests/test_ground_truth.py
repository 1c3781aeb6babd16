"""The AI page's ground truth (spec 17): reviewed proposals plus judged verdicts, deduplicated by
(stage, class); accuracy overall and per class; mean confidence; the frequent corrections."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from labs.models import LabInstance, Team
from labs.tests import factories
from rubrics_app.classification.ground_truth import ground_truth_report
from rubrics_app.classification.verdict_feedback import evaluation_feedback_submit
from rubrics_app.models import ClassificationProposal, Evaluation
from rubrics_app.registry import scan_rubrics

from .classification_fixtures import scan, unexplained

pytestmark = pytest.mark.django_db
Status = ClassificationProposal.Status


def _proposal(lab: LabInstance, n: int, proposed: str, status: str, final: str = "") -> None:
    ClassificationProposal.objects.create(
        lab_instance=lab,
        rubric_id="deployment-ready",
        fingerprint=f"fp{n}",
        signature=f"sig{n}",
        proposed_class=proposed,
        final_class=final,
        confidence=0.9 if status == Status.ACCEPTED else 0.3,
        status=status,
        reviewed_at=timezone.now(),
        created_at=timezone.now(),
    )


def _fleet(team: Team | None = None, guid: str = "gt1") -> tuple[LabInstance, Evaluation]:
    lab = factories.lab_instance(of=factories.lab(team=team), guid=guid)
    scan(lab, unexplained())
    return lab, Evaluation.objects.get(lab_instance=lab, outcome="failed")


def test_it_dedups_by_stage_and_class_and_counts_accuracy() -> None:
    lab, verdict = _fleet()
    user = User.objects.create_user("u", password="pw-for-tests-1")
    for n in range(3):
        _proposal(lab, n, "crashloop", Status.ACCEPTED, "crashloop")
    _proposal(lab, 3, "crashloop", Status.CORRECTED, "keyring-locked")
    _proposal(lab, 4, "oops", Status.REJECTED)
    evaluation_feedback_submit(
        evaluation=verdict, user=user, correct=False, corrected_class="keyring-locked"
    )
    report = ground_truth_report(LabInstance.objects.all())
    stage = {r.id: r.stage for r in scan_rubrics().rubrics}["deployment-ready"]
    truth = {(t.stage, t.failure_class): t for t in report.truth}
    assert truth[(stage, "crashloop")].cases == 3
    assert truth[(stage, "keyring-locked")].sources == ("proposal", "verdict")
    assert len(report.truth) == len(truth) == 2 + (verdict.rubric_id != "deployment-ready")
    assert (report.overall.reviewed, report.overall.approved, report.overall.proposals) == (6, 3, 5)
    by_class = {a.label: a for a in report.by_class}
    assert (by_class["crashloop"].reviewed, by_class["crashloop"].approved) == (4, 3)
    assert by_class[verdict.failure_class].rate == 0.0
    assert report.mean_confidence == {"accepted": 0.9, "corrected": 0.3, "rejected": 0.3}
    assert ("crashloop", "keyring-locked", 1) in report.corrections


def test_a_verdicts_latest_word_counts_once() -> None:
    _, verdict = _fleet()
    user = User.objects.create_user("u", password="pw-for-tests-1")
    evaluation_feedback_submit(evaluation=verdict, user=user, correct=False)
    evaluation_feedback_submit(evaluation=verdict, user=user, correct=True)
    report = ground_truth_report(LabInstance.objects.all())
    assert (report.overall.reviewed, report.overall.approved) == (1, 1)
    assert [t.failure_class for t in report.truth] == [verdict.failure_class]
    assert report.corrections == []


def test_the_panel_reads_only_the_users_labs_in_few_queries(
    django_assert_max_num_queries: Any,
) -> None:
    ours, theirs = Team.objects.create(name="ours"), Team.objects.create(name="theirs")
    mine, _ = _fleet(ours, "gtmine")
    other, _ = _fleet(theirs, "gtother")
    _proposal(mine, 1, "crashloop", Status.ACCEPTED, "crashloop")
    _proposal(other, 2, "secret-team-class", Status.CORRECTED, "their-hidden-class")
    member = User.objects.create_user("member", password="pw-for-tests-1")
    ours.members.add(member)
    client = Client()
    client.force_login(member)
    assert 'hx-get="/rubrics/ai/ground-truth/"' in client.get("/rubrics/ai/").content.decode()
    with django_assert_max_num_queries(6):
        html = client.get("/rubrics/ai/ground-truth/").content.decode()
    assert "crashloop" in html
    assert "secret-team-class" not in html and "their-hidden-class" not in html
