"""Automatic investigation's switch and sources: off by default (nothing examined, nothing
queued); the 5-minute sweep (sandbox namespaces failing in the last 2 h, at most 3 queued, one
schedule); verdicts that just failed, queued after the scan's commit; each decision kept with
its reason; the runs carry their trigger type, triggering verdict and `auto-` job id."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule

from labs.tests import factories
from rubrics_app.investigation.triggers import (
    attention_sweep,
    auto_investigation_enabled,
    auto_investigation_switch,
)
from rubrics_app.models import AttentionDecision, AttentionGate, InvestigationRun
from rubrics_app.schedules import ATTENTION_SCHEDULE
from rubrics_app.selectors import investigations_ended_since

from .attention_fixtures import NOW, Trigger, failing
from .classification_fixtures import scan, unexplained

pytestmark = pytest.mark.django_db
M = timedelta(minutes=1)


def test_it_is_off_by_default_and_the_sweep_then_does_nothing() -> None:
    failing(age=90 * M)
    assert not auto_investigation_enabled()
    assert attention_sweep(now=NOW) == 0
    assert not AttentionDecision.objects.exists() and not InvestigationRun.objects.exists()


def test_the_switch_is_one_persisted_row() -> None:
    user = User.objects.create_user("ops", password="pw-for-tests-1")
    auto_investigation_switch(enabled=True, user=user)
    auto_investigation_switch(enabled=True, user=user)
    (gate,) = AttentionGate.objects.all()
    assert gate.enabled and gate.changed_by == user and gate.changed_at is not None
    auto_investigation_switch(enabled=False, user=None)
    assert not auto_investigation_enabled()


@pytest.mark.smoke
def test_the_sweep_queues_at_most_3_and_says_why_the_others_waited() -> None:
    auto_investigation_switch(enabled=True, user=None)
    stuck = [failing(age=(90 + n) * M, evaluated=(n + 1) * M) for n in range(5)]
    late = failing(age=90 * M, evaluated=121 * M)  # evaluated over 2 h ago: not swept
    showroom = failing(age=90 * M, namespace="showroom-x-1")  # the sweep reads sandboxes
    young = failing(age=5 * M, first=10 * M)
    assert attention_sweep(now=NOW) == 3
    runs = list(InvestigationRun.objects.order_by("pk"))
    assert [r.triggering_evaluation for r in runs] == stuck[:3]
    assert {(r.trigger_type, r.status, r.failure_class) for r in runs} == {
        (Trigger.AUTO_STUCK, "queued", "crashloop")
    }
    assert runs[0].job_id == f"auto-{runs[0].pk}" and runs[0].requested_by is None
    decisions = {d.lab_instance_id: d for d in AttentionDecision.objects.all()}
    assert decisions[stuck[0].lab_instance_id].run == runs[0]
    assert decisions[stuck[0].lab_instance_id].reason.startswith("queued: stuck: failing 90 min")
    assert decisions[stuck[4].lab_instance_id].reason == "not queued: at most 3 per sweep"
    assert (decisions[young.lab_instance_id].step, decisions[young.lab_instance_id].attention) == (
        1,
        "provisioning",
    )
    assert late.lab_instance_id not in decisions and showroom.lab_instance_id not in decisions
    assert all(d.source == "sweep" for d in decisions.values())
    # The next sweep: the three investigated namespaces wait 4 h; of the other two, one goes,
    # then four are under way (spec 19.1): the last waits for one to end.
    assert attention_sweep(now=NOW + M) == 1
    again = AttentionDecision.objects.get(lab_instance_id=stuck[0].lab_instance_id)
    assert again.step == 2 and again.run is None
    waiting = AttentionDecision.objects.get(lab_instance_id=stuck[4].lab_instance_id)
    assert waiting.reason.startswith("not queued: 4 investigations are under way")


def test_old_decisions_are_pruned_by_the_sweep() -> None:
    evaluation = failing()
    AttentionDecision.objects.create(
        lab_instance=evaluation.lab_instance,
        rubric_id="x",
        source="sweep",
        reason="old",
        at=NOW - timedelta(days=8),
    )
    attention_sweep(now=NOW)
    assert not AttentionDecision.objects.exists()


def test_the_sweep_is_one_schedule_however_often_it_is_synced() -> None:
    for _ in range(2):
        call_command("setup_classification_schedules", verbosity=0)
    (schedule,) = Schedule.objects.filter(name=ATTENTION_SCHEDULE)
    assert schedule.func == "rubrics_app.investigation.triggers.attention_sweep"
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 5)


def test_a_verdict_that_just_failed_goes_through_the_gate_after_the_commit(
    lab_instance: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)
    with django_capture_on_commit_callbacks(execute=True):
        scan(lab_instance, unexplained(), now=timezone.now())
    assert not AttentionDecision.objects.exists()  # switched off: not even examined
    auto_investigation_switch(enabled=True, user=None)
    other = factories.lab_instance(of=lab_instance.lab)
    with django_capture_on_commit_callbacks(execute=True):
        scan(other, unexplained(), now=timezone.now())
    (decision,) = AttentionDecision.objects.all()
    assert (decision.lab_instance, decision.source) == (other, "verdict")
    assert decision.failure_class and decision.step == 1  # a new namespace: provisioning
    assert decision.attention == "provisioning" and not InvestigationRun.objects.exists()


def test_finished_runs_are_listed_by_completion_for_the_event_stream() -> None:
    lab = failing().lab_instance
    early, late = (
        InvestigationRun.objects.create(
            lab_instance=lab, status="complete", created_at=NOW, completed_at=NOW + n * M
        )
        for n in (2, 1)
    )
    InvestigationRun.objects.create(lab_instance=lab, status="running", created_at=NOW)
    assert investigations_ended_since(NOW) == [late, early]
    assert investigations_ended_since(NOW + 2 * M) == [early]
    assert early.job_id == f"inv-{early.pk}"
