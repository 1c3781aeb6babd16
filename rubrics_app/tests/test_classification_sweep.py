"""The periodic sweep: candidates left waiting (breaker, budget, a task a restarted worker lost)
are classified at the next sweep; nothing is lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule

from labs.models import LabInstance
from rubrics_app.classification.candidates import candidate_verdicts, candidates_sweep
from rubrics_app.models import ClassificationProposal, LLMBreaker
from rubrics_app.schedules import SWEEP_SCHEDULE

from .classification_fixtures import scan, unexplained

pytestmark = pytest.mark.django_db


def test_the_sweep_is_one_schedule_however_often_it_is_synced() -> None:
    for _ in range(2):
        call_command("setup_classification_schedules", verbosity=0)
    (schedule,) = Schedule.objects.filter(name=SWEEP_SCHEDULE)
    assert schedule.func == "rubrics_app.classification.candidates.candidates_sweep"
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 5)


def test_candidates_wait_while_the_breaker_is_open_then_the_sweep_classifies_them(
    lab_instance: Any, llm: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(Conf, "SYNC", True)
    LLMBreaker.objects.create(
        name="llm", consecutive_failures=5, open_until=timezone.now() + timedelta(minutes=5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        scan(lab_instance, unexplained())
    assert not llm.requests and not ClassificationProposal.objects.exists()
    assert candidate_verdicts().count() == 1  # it waits
    assert candidates_sweep() == 0  # still open: still waiting, nothing sent
    assert not llm.requests
    LLMBreaker.objects.update(open_until=timezone.now() - timedelta(seconds=1))
    assert candidates_sweep() == 1
    assert ClassificationProposal.objects.get().lab_instance == lab_instance
    assert not candidate_verdicts().exists()


def test_candidates_over_the_hourly_cap_wait_for_the_next_sweep(
    lab_instance: Any, llm: Any, settings: Any
) -> None:
    settings.LLM_CALLS_PER_HOUR = 1
    other = LabInstance.objects.create(
        cluster=lab_instance.cluster, namespace="sandbox-other-lab", lab=lab_instance.lab
    )
    scan(lab_instance, unexplained(reason="KeyringLocked"))
    scan(other, unexplained(reason="LicenseExpired"))
    assert candidates_sweep() == 1  # the second would exceed the cap: it waits
    assert candidate_verdicts().count() == 1 and len(llm.requests) == 1
    settings.LLM_CALLS_PER_HOUR = 0
    assert candidates_sweep() == 1
    assert ClassificationProposal.objects.count() == 2


def test_a_queued_task_a_restarted_worker_lost_is_made_up_by_the_sweep(
    lab_instance: Any, llm: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the task never runs
        scan(lab_instance, unexplained())
    assert not ClassificationProposal.objects.exists()
    assert candidates_sweep() == 1
    assert candidates_sweep() == 0  # a proposal exists: no second call
    assert len(llm.requests) == 1
