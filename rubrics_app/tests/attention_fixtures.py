"""Failing verdicts, baselines, resolution records and runs for the attention-gate tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from incidents.models import Cause, FailureRecord
from labs.models import Lab, LabInstance, Status
from labs.tests import factories
from rubrics_app.models import Evaluation, InvestigationRun, StateChange

NOW = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
CLASS = "crashloop"
Trigger = InvestigationRun.Trigger


def failing(
    *,
    item: Lab | None = None,
    age: timedelta = timedelta(minutes=45),
    first: timedelta = timedelta(hours=3),
    namespace: str = "",
    now: datetime = NOW,
    failure_class: str = CLASS,
    evaluated: timedelta = timedelta(minutes=1),
) -> Evaluation:
    """A lab of `item` first evaluated `first` ago, whose verdict has failed for `age`."""
    lab = factories.lab_instance(of=item, status=Status.FAILED)
    if namespace:
        LabInstance.objects.filter(pk=lab.pk).update(namespace=namespace)
        lab.namespace = namespace
    StateChange.objects.create(
        lab_instance=lab, rubric_id="", to_status=Status.READY, at=now - first
    )
    return Evaluation.objects.create(
        lab_instance=lab,
        rubric_id="deployment-ready",
        outcome=Status.FAILED,
        failure_class=failure_class,
        outcome_since=now - age,
        evaluated_at=now - evaluated,
    )


def evaluations(item: Lab, total: int, fails: int, now: datetime = NOW) -> None:
    """`total` rubric state changes of `item` in the last 7 days, `fails` of them to failed with
    the class (on one other lab of the item)."""
    lab = factories.lab_instance(of=item, status=Status.FAILED)
    rows = [
        StateChange(
            lab_instance=lab,
            rubric_id="pods-ready",
            to_status=Status.FAILED if n < fails else Status.READY,
            failure_class=CLASS if n < fails else "",
            at=now - timedelta(hours=n % 100 + 1),
        )
        for n in range(total)
    ]
    StateChange.objects.bulk_create(rows)


def resolutions(
    item: Lab,
    ttr_minutes: list[float],
    *,
    cause: str = Cause.HUMAN_REMEDIATED,
    resolved_ago: timedelta = timedelta(days=1),
    now: datetime = NOW,
) -> None:
    FailureRecord.objects.bulk_create(
        FailureRecord(
            lab=item,
            rubric_id="pods-ready",
            failure_class=CLASS,
            outcome="failed",
            detected_at=now - resolved_ago - timedelta(minutes=m),
            resolved_at=now - resolved_ago,
            cause=cause,
            ttr_seconds=m * 60,
        )
        for m in ttr_minutes
    )


def runs(
    lab: LabInstance,
    count: int,
    *,
    trigger: str = Trigger.AUTO_STUCK,
    ago: timedelta = timedelta(minutes=10),
    verdict: str = InvestigationRun.Verdict.ACTIONABLE,
    now: datetime = NOW,
) -> None:
    """`count` finished runs of `lab` (finished: none counts as under way)."""
    InvestigationRun.objects.bulk_create(
        InvestigationRun(
            lab_instance=lab,
            trigger_type=trigger,
            failure_class=CLASS,
            status=InvestigationRun.Status.COMPLETE,
            verdict=verdict,
            created_at=now - ago,
            completed_at=now - ago + timedelta(minutes=1),
        )
        for _ in range(count)
    )
