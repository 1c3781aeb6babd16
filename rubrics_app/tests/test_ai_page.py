"""The AI page: acceptance per class and per confidence bucket, the calibration factor applied
to new proposals, drift week over week, why candidates wait; team-scoped, at most 10 queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from labs.models import LabInstance, Team
from labs.tests import factories
from rubrics_app.classification import calibration
from rubrics_app.classification.candidates import candidates_classify
from rubrics_app.models import ClassificationProposal, LLMBreaker, LLMCall

from .classification_fixtures import scan, unexplained

pytestmark = pytest.mark.django_db
Status = ClassificationProposal.Status


def _proposal(lab: LabInstance, n: int, cls: str, confidence: float, status: str) -> None:
    now = timezone.now()
    ClassificationProposal.objects.create(
        lab_instance=lab,
        rubric_id="deployment-ready",
        fingerprint=f"fp{n}",
        signature=f"sig{n}",
        proposed_class=cls,
        confidence=confidence,
        adjusted_confidence=confidence,
        status=status,
        reviewed_at=None if status == Status.PROPOSED else now,
        created_at=now,
    )


def _reviews(lab: LabInstance) -> None:
    """10 reviews: 7 accepted (high confidence), 2 corrected, 1 rejected (low), 1 pending."""
    rows = [("crashloop", 0.95, Status.ACCEPTED)] * 5 + [
        ("keyring-locked", 0.85, Status.ACCEPTED)
    ] * 2
    rows += [("crashloop", 0.45, Status.CORRECTED)] * 2 + [("oops", 0.05, Status.REJECTED)]
    rows += [("crashloop", 0.9, Status.PROPOSED)]
    for n, (cls, confidence, status) in enumerate(rows):
        _proposal(lab, n, cls, confidence, status)


def test_acceptance_per_class_and_per_confidence_bucket(lab_instance: Any) -> None:
    _reviews(lab_instance)
    proposals = ClassificationProposal.objects.all()
    by_class = {r.label: r for r in calibration.acceptance_by_class(proposals)}
    assert (by_class["crashloop"].reviewed, by_class["crashloop"].accepted) == (7, 5)
    assert by_class["crashloop"].corrected == 2 and by_class["oops"].rate == 0.0
    buckets = calibration.calibration_table(proposals)
    assert [b.label for b in buckets][0::9] == ["0.0-0.1", "0.9-1.0"]
    assert [(b.reviewed, b.accepted) for b in buckets] == [
        (1, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (2, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (2, 2),
        (5, 5),
    ]


def test_the_factor_is_1_below_10_reviews_then_the_acceptance_applied_to_confidence(
    lab_instance: Any, llm: Any
) -> None:
    _proposal(lab_instance, 99, "crashloop", 0.9, Status.ACCEPTED)
    assert calibration.calibration_factor() == 1.0
    ClassificationProposal.objects.all().delete()
    _reviews(lab_instance)
    assert calibration.calibration_factor() == 1.0  # the latest receipt's, until the next
    calibration.calibration_receipts_task()
    assert calibration.calibration_factor() == pytest.approx(0.7)
    other = LabInstance.objects.create(
        cluster=lab_instance.cluster, namespace="sandbox-new-lab", lab=lab_instance.lab
    )
    scan(other, unexplained())
    assert candidates_classify(log_tail=lambda *_: {}) == 1
    proposal = ClassificationProposal.objects.get(lab_instance=other)
    assert proposal.adjusted_confidence == pytest.approx(round(proposal.confidence * 0.7, 4))


def _call(at: Any, latency: int, outcome: str = "success") -> LLMCall:
    return LLMCall.objects.create(
        prompt_id="classify",
        prompt_version="1",
        model="m",
        latency_ms=latency,
        outcome=outcome,
        bundle_digest="d",
        called_at=at,
    )


def test_drift_compares_the_last_7_days_with_the_7_before(db: None) -> None:
    now = timezone.now()
    for i in range(20):
        _call(now - timedelta(days=10, minutes=i), 100)
    for i in range(18):
        _call(now - timedelta(days=1, minutes=i), 200)
    assert calibration.drift(now).status == "drifting"  # latency doubled: a warning
    _call(now - timedelta(hours=1), 200, "server_error")
    _call(now - timedelta(hours=2), 200, "timeout")
    report = calibration.drift(now)
    assert (report.this_week.calls, report.this_week.errors) == (20, 2)
    assert report.status == "degraded"  # 10 % errors: critical
    assert ("critical", "error rate 10.0% (over 5 %)") in report.alerts


def test_it_says_why_candidates_wait(db: None, settings: Any) -> None:
    settings.LLM_API_BASE = "http://127.0.0.1:9/v1"
    now = timezone.now()
    assert calibration.waiting(now).reasons == []
    LLMBreaker.objects.create(name="llm", consecutive_failures=5, open_until=now + timedelta(60))
    settings.LLM_CALLS_PER_HOUR = 1
    _call(now - timedelta(minutes=5), 100)
    reasons = calibration.waiting(now).reasons
    assert reasons[0] == "hourly call cap reached (1 calls)"
    assert reasons[1].startswith("the breaker is open until")


def test_the_page_lists_only_the_users_labs_in_10_queries(
    settings: Any, django_assert_max_num_queries: Any
) -> None:
    settings.LLM_API_BASE = ""
    ours, theirs = Team.objects.create(name="ours"), Team.objects.create(name="theirs")
    mine = factories.lab_instance(of=factories.lab(team=ours), guid="mine1")
    other = factories.lab_instance(of=factories.lab(team=theirs), guid="other1")
    scan(mine, unexplained())
    scan(other, unexplained())
    _reviews(mine)
    calibration.calibration_receipts_task()  # the schedule's, every minute
    operator = factories.platform_operator(User.objects.create_user("op", password="pw-1-tests"))
    client = Client()
    client.force_login(operator)
    with django_assert_max_num_queries(10):
        page = client.get("/rubrics/ai/")
    html = page.content.decode()
    assert page.status_code == 200
    assert mine.namespace in html and other.namespace in html
    assert "no endpoint is configured" in html and 'id="calibration-factor">0.70' in html
    member = User.objects.create_user("member", password="pw-1-tests")
    ours.members.add(member)
    client.force_login(member)
    html = client.get("/rubrics/ai/").content.decode()
    assert mine.namespace in html and other.namespace not in html
