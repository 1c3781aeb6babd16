"""Spec 17: calibration receipts every minute, the factor every worker reads from the latest one,
response feedback per endpoint, adjusted confidence on the proposal and its call record, the
variant report per prompt version."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule

from labs.models import LabInstance, Team
from labs.tests import factories
from rubrics_app.classification import calibration, feedback
from rubrics_app.classification.candidates import candidates_classify
from rubrics_app.models import (
    CalibrationReceipt,
    ClassificationProposal,
    InvestigationRun,
    InvestigationStep,
    LLMCall,
    LLMFeedback,
)
from rubrics_app.schedules import CALIBRATION_SCHEDULE, schedules_sync

from .classification_fixtures import scan, unexplained

pytestmark = pytest.mark.django_db
Status = ClassificationProposal.Status


def _reviewed(lab: LabInstance, accepted: int, rejected: int) -> None:
    now = timezone.now()
    rows = [Status.ACCEPTED] * accepted + [Status.REJECTED] * rejected
    for n, status in enumerate(rows):
        ClassificationProposal.objects.create(
            lab_instance=lab,
            rubric_id="deployment-ready",
            fingerprint=f"fp{n}",
            signature=f"sig{n}",
            proposed_class="crashloop",
            confidence=0.9,
            status=status,
            reviewed_at=now,
            created_at=now,
        )


def _call(prompt_id: str = "investigate", **fields: Any) -> LLMCall:
    values: dict[str, Any] = {
        "prompt_id": prompt_id,
        "prompt_version": "1",
        "model": "m",
        "outcome": "success",
        "bundle_digest": "d",
        "called_at": timezone.now(),
        **fields,
    }
    return LLMCall.objects.create(**values)


def _feedback(call: LLMCall, helpful: int, unhelpful: int) -> None:
    for n in range(helpful + unhelpful):
        user = User.objects.create_user(f"u{call.pk}-{n}")
        feedback.feedback_submit(call=call, helpful=n < helpful, notes="", user=user)


def test_the_schedule_runs_every_minute_through_the_schedule_helper() -> None:
    schedules_sync()
    schedule = Schedule.objects.get(name=CALIBRATION_SCHEDULE)
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 1)
    assert schedule.func == "rubrics_app.classification.calibration.calibration_receipts_task"


def test_each_computation_is_a_receipt_and_the_factor_is_the_latest_ones(
    lab_instance: Any,
) -> None:
    _reviewed(lab_instance, accepted=3, rejected=1)
    assert calibration.calibration_receipts_task() == 1  # classify only: no other feedback
    first = CalibrationReceipt.objects.get()
    assert (first.endpoint, first.helpful, first.total, first.factor) == ("classify", 3, 4, 1.0)
    assert first.min_feedback == 10 and first.window_start is None  # below 10 entries: 1.0
    _reviewed_more = [Status.ACCEPTED] * 4 + [Status.REJECTED] * 2
    now = timezone.now()
    for n, status in enumerate(_reviewed_more, start=10):
        ClassificationProposal.objects.create(
            lab_instance=lab_instance,
            rubric_id="deployment-ready",
            fingerprint=f"fp{n}",
            signature=f"sig{n}",
            proposed_class="crashloop",
            status=status,
            reviewed_at=now,
            created_at=now,
        )
    assert calibration.calibration_factor() == 1.0  # no worker recomputes it: the receipt's
    calibration.calibration_compute(now=now + timedelta(minutes=1))
    assert calibration.calibration_factor() == pytest.approx(0.7)  # 7 helpful of 10
    assert CalibrationReceipt.objects.filter(endpoint="classify").count() == 2
    # The factor is stored, so every worker process reads the same: a receipt written elsewhere
    CalibrationReceipt.objects.create(
        endpoint="classify",
        helpful=1,
        total=20,
        factor=0.05,
        min_feedback=10,
        computed_at=now + timedelta(minutes=2),
    )
    assert calibration.calibration_factor() == 0.05


def test_response_feedback_calibrates_its_own_endpoint(lab_instance: Any, settings: Any) -> None:
    call = _call("investigate")
    _feedback(call, helpful=6, unhelpful=4)
    _feedback(_call("classify"), helpful=0, unhelpful=2)  # counts with classify's reviews
    _reviewed(lab_instance, accepted=8, rejected=0)
    receipts = {r.endpoint: r for r in calibration.calibration_compute()}
    assert (receipts["investigate"].helpful, receipts["investigate"].total) == (6, 10)
    assert receipts["investigate"].factor == pytest.approx(0.6)
    assert (receipts["classify"].helpful, receipts["classify"].total) == (8, 10)
    assert calibration.calibration_factor("investigate") == pytest.approx(0.6)
    row = LLMFeedback.objects.filter(call=call).first()
    assert row is not None and row.endpoint == "investigate" and row.submitted_by is not None
    # A second vote of the same user replaces the first.
    feedback.feedback_submit(call=call, helpful=True, notes="", user=row.submitted_by)
    assert LLMFeedback.objects.filter(call=call).count() == 10
    # The window: feedback older than it no longer counts.
    settings.LLM_CALIBRATION_WINDOW_DAYS = 7
    LLMFeedback.objects.update(submitted_at=timezone.now() - timedelta(days=8))
    receipts = {r.endpoint: r for r in calibration.calibration_compute()}
    assert "investigate" not in receipts and receipts["classify"].window_start is not None


def test_adjusted_confidence_is_stored_on_the_proposal_and_its_call(
    lab_instance: Any, llm: Any
) -> None:
    _reviewed(lab_instance, accepted=7, rejected=3)
    calibration.calibration_receipts_task()
    other = LabInstance.objects.create(
        cluster=lab_instance.cluster, namespace="sandbox-new-lab", lab=lab_instance.lab
    )
    scan(other, unexplained())
    assert candidates_classify(log_tail=lambda *_: {}) == 1
    proposal = ClassificationProposal.objects.get(lab_instance=other)
    assert proposal.call is not None
    expected = round(proposal.confidence * 0.7, 4)
    assert proposal.adjusted_confidence == pytest.approx(expected)
    proposal.call.refresh_from_db()
    assert proposal.call.adjusted_confidence == pytest.approx(expected)


def test_the_ai_page_shows_the_receipts_and_the_variant_report(admin_client: Client) -> None:
    now = timezone.now()
    for latency in [100, 200, 300, 400, 1000]:
        _call("classify", latency_ms=latency, total_tokens=100, cost_usd=0.001, called_at=now)
    _call("classify", prompt_version="2", outcome="timeout", latency_ms=30000, called_at=now)
    calibration.calibration_compute(now=now)
    html = admin_client.get("/rubrics/ai/").content.decode()
    assert 'id="receipt-table"' in html and ">classify<" in html
    assert 'hx-get="/rubrics/ai/variants/"' in html
    report = {(v.prompt_id, v.prompt_version): v for v in feedback.variant_report(now)}
    v1, v2 = report[("classify", "1")], report[("classify", "2")]
    assert (v1.calls, v1.success_pct, v1.p95_latency_ms, v1.mean_latency_ms) == (
        5,
        "100%",
        1000,
        400,
    )
    assert v1.cost_usd == pytest.approx(0.005) and v2.success_pct == "0%"
    html = admin_client.get("/rubrics/ai/variants/").content.decode()
    assert 'id="variant-table"' in html and "30000 ms" in html


def test_feedback_is_only_for_an_answer_given_for_ones_own_labs() -> None:
    ours, theirs = Team.objects.create(name="ours"), Team.objects.create(name="theirs")
    mine = factories.lab_instance(of=factories.lab(team=ours), guid="mine1")
    other = factories.lab_instance(of=factories.lab(team=theirs), guid="other1")
    calls = {}
    for lab in (mine, other):
        run = InvestigationRun.objects.create(lab_instance=lab, created_at=timezone.now())
        calls[lab.pk] = _call("investigate")
        InvestigationStep.objects.create(
            run=run, number=1, kind="answer", call=calls[lab.pk], at=timezone.now()
        )
    member = User.objects.create_user("member", password="pw-1-tests")
    ours.members.add(member)
    client = Client()
    client.force_login(member)
    url = "/rubrics/ai/calls/{}/feedback/"
    page = client.post(url.format(calls[mine.pk].pk), {"helpful": "no", "notes": "wrong pod"})
    assert page.status_code == 200 and b"not helpful" in page.content
    entry = LLMFeedback.objects.get()
    assert (entry.call_id, entry.helpful, entry.notes, entry.submitted_by) == (
        calls[mine.pk].pk,
        False,
        "wrong pod",
        member,
    )
    assert client.post(url.format(calls[other.pk].pk), {"helpful": "yes"}).status_code == 404
    assert client.post(url.format(calls[mine.pk].pk), {"helpful": "maybe"}).status_code == 400
    assert LLMFeedback.objects.count() == 1
