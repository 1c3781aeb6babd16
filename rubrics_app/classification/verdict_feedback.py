"""Spec 17's evaluation feedback: on a failed verdict, a person says whether its class was
right, the class it should have been (a known one, or a new name flagged novel), what they did
and whether it worked. The record keeps the verdict's stage, class and fingerprint; the verdict
gets `human_confirmed`, `human_corrected_class` and `human_notes`.

Feedback only: the verdict's class and `class_source` stay the engine's. A `human` source means
a class confirmed on the review page, held for the failure signature scan after scan, which the
remediation gates read as confirmed; a note on one verdict is not that, so it never changes
what the gates see. The ground-truth report (`ground_truth.py`) counts it.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from labs.models import Status
from rubrics_app.models import Evaluation, EvaluationFeedback
from rubrics_app.registry import scan_rubrics
from stargate.lib.redact import redact_text

from .proposals import CLASS_NAME


class FeedbackRefused(Exception):
    """Feedback on a verdict that is not failed, or that contradicts itself."""


def _class_name(value: str) -> str:
    cls = value.strip().lower().replace("_", "-")
    if cls and not CLASS_NAME.match(cls):
        raise FeedbackRefused(f"{value[:100]!r} is not a class name (lower-case-words)")
    return cls


@transaction.atomic
def evaluation_feedback_submit(
    *,
    evaluation: Evaluation,
    user: User,
    correct: bool | None,
    corrected_class: str = "",
    notes: str = "",
    action_taken: str = "",
    worked: bool | None = None,
) -> EvaluationFeedback:
    """Record a person's word on this failed verdict's class; the latest word is the verdict's."""
    if evaluation.outcome != Status.FAILED or not evaluation.failure_class:
        raise FeedbackRefused("feedback is for a failed verdict with a class")
    cls = _class_name(corrected_class)
    if cls == evaluation.failure_class:
        if correct is False:
            raise FeedbackRefused("the corrected class is the verdict's own")
        cls, correct = "", True
    if cls and correct:
        raise FeedbackRefused("a class that was right needs no corrected class")
    if cls:
        correct = False
    rubrics = scan_rubrics()
    stages = {r.id: r.stage for r in rubrics.rubrics}
    feedback = EvaluationFeedback.objects.create(
        evaluation=evaluation,
        lab_instance_id=evaluation.lab_instance_id,
        rubric_id=evaluation.rubric_id,
        stage=stages.get(evaluation.rubric_id, evaluation.rubric_id),
        fingerprint=evaluation.fingerprint,
        failure_class=evaluation.failure_class,
        class_source=evaluation.class_source,
        correct_classification=correct,
        corrected_class=cls,
        novel=bool(cls) and cls not in rubrics.classes,
        notes=redact_text(notes)[:2000],
        action_taken=redact_text(action_taken)[:200],
        worked=worked,
        reviewed_by=user,
        submitted_at=timezone.now(),
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(
        human_confirmed=correct, human_corrected_class=cls, human_notes=feedback.notes
    )
    evaluation.human_confirmed = correct
    evaluation.human_corrected_class = cls
    evaluation.human_notes = feedback.notes
    return feedback
