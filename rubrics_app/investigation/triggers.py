"""Automatic investigation (spec 19.4): off until switched on (`AttentionGate`, on the AI page
or in the admin). Two sources feed the attention gate (`attention.AttentionGate`):

- verdicts that just went failed or warn with a class: the rubric service queues one django-q
  task per scan batch after its commit (`attention_queue_on_commit`: no query in the scan);
- the sweep every 5 minutes (`attention-sweep`, `rubrics_app.schedules`): failing sandbox
  namespaces evaluated in the last 2 hours, 100 verdicts examined, at most 3 queued.

Each verdict examined leaves its decision (`AttentionDecision`, one row per lab and rubric):
queued with its run, or skipped with the step and the reason, shown on the AI page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from labs.models import Status
from rubrics_app.models import AttentionDecision, AttentionGate, Evaluation, StateChange

from .attention import AttentionGate as Gate
from .attention import Decision
from .services import InvestigationRefused, investigation_request

logger = logging.getLogger(__name__)
TASK = "rubrics_app.investigation.triggers.attention_on_verdicts"
SWEEP_WINDOW = timedelta(hours=2)
SWEEP_ROWS = 100
SWEEP_QUEUED = 3
DECISIONS_KEPT = timedelta(days=7)
FAILING = (Status.FAILED, Status.WARN)


def auto_investigation_enabled() -> bool:
    return AttentionGate.objects.filter(enabled=True).exists()


def auto_investigation_switch(*, enabled: bool, user: User | None) -> AttentionGate:
    """Turn automatic investigation on or off (the one `AttentionGate` row)."""
    gate = AttentionGate.objects.order_by("pk").first() or AttentionGate()
    gate.enabled, gate.changed_by, gate.changed_at = enabled, user, timezone.now()
    gate.save()
    AttentionGate.objects.exclude(pk=gate.pk).delete()
    return gate


def attention_queue_on_commit(changes: Iterable[StateChange]) -> None:
    """After the scan's commit, one task for the labs whose verdict just went failed or warn
    with a class (the switch is read then, outside the scan)."""
    lab_ids = sorted(
        {
            c.lab_instance_id
            for c in changes
            if c.rubric_id and c.to_status in FAILING and c.failure_class
        }
    )
    if lab_ids:
        transaction.on_commit(lambda: _enqueue(lab_ids), robust=True)


def _enqueue(lab_ids: list[int]) -> None:
    if not auto_investigation_enabled():
        return
    from django_q.tasks import async_task

    async_task(TASK, lab_ids, task_name=f"attention {len(lab_ids)} labs"[:100])


def _failing() -> QuerySet[Evaluation]:
    return (
        Evaluation.objects.filter(outcome__in=FAILING, lab_instance__deleted_at__isnull=True)
        .exclude(failure_class="")
        .select_related("lab_instance__lab", "lab_instance__cluster")
        .defer("criteria", "evidence_excerpt", "progress_memory")
        .order_by("-evaluated_at", "-pk")
    )


def attention_on_verdicts(lab_ids: list[int], now: datetime | None = None) -> int:
    """The task: the gate on these labs' failing verdicts; returns how many runs it queued."""
    if not auto_investigation_enabled():
        return 0
    rows = _failing().filter(lab_instance_id__in=lab_ids)[:SWEEP_ROWS]
    return attention_examine(rows, AttentionDecision.Source.VERDICT, now or timezone.now())


def attention_sweep(now: datetime | None = None) -> int:
    """The 5-minute sweep; returns how many runs it queued."""
    now = now or timezone.now()
    AttentionDecision.objects.filter(at__lt=now - DECISIONS_KEPT).delete()
    if not auto_investigation_enabled():
        return 0
    rows = _failing().filter(
        evaluated_at__gte=now - SWEEP_WINDOW, lab_instance__namespace__startswith="sandbox-"
    )[:SWEEP_ROWS]
    return attention_examine(rows, AttentionDecision.Source.SWEEP, now, most=SWEEP_QUEUED)


def attention_examine(
    rows: Iterable[Evaluation], source: str, now: datetime, most: int | None = None
) -> int:
    """The gate on each verdict (one per lab: its newest), at most `most` queued."""
    gate, seen, queued = Gate(now), set(), 0
    for evaluation in rows:
        if evaluation.lab_instance_id in seen:
            continue
        seen.add(evaluation.lab_instance_id)
        decision, run_id = gate.decide(evaluation), None
        if decision.step is None and most is not None and queued >= most:
            decision = Decision(decision.attention, None, f"not queued: at most {most} per sweep")
        elif decision.step is None:
            decision, run_id = _queue(evaluation, decision)
            queued += run_id is not None
        _record(evaluation, source, decision, run_id, now)
    return queued


def _queue(evaluation: Evaluation, decision: Decision) -> tuple[Decision, int | None]:
    try:
        run = investigation_request(
            lab=evaluation.lab_instance,
            user=None,
            trigger_type=decision.trigger,
            evaluation=evaluation,
        )
    except InvestigationRefused as exc:
        return Decision(decision.attention, None, f"not queued: {exc}"), None
    return Decision(decision.attention, None, f"queued: {decision.reason}"), run.pk


def _record(
    evaluation: Evaluation, source: str, decision: Decision, run_id: int | None, now: datetime
) -> None:
    AttentionDecision.objects.update_or_create(
        lab_instance=evaluation.lab_instance,
        rubric_id=evaluation.rubric_id,
        defaults={
            "failure_class": evaluation.failure_class,
            "source": source,
            "attention": decision.attention,
            "step": decision.step,
            "reason": decision.reason[:300],
            "run_id": run_id,
            "at": now,
        },
    )
    logger.info("attention %s %s: %s", evaluation.lab_instance_id, evaluation.rubric_id, decision)
