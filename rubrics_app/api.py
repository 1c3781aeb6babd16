"""Evaluation feedback through the typed API (spec 17): `POST /api/v1/rubrics/evaluations/{id}/
feedback`, mounted by `stargate.api`, with a key of the `approve` scope whose owner holds
`rubrics_app.give_evaluationfeedback`; only the owner's teams' verdicts (another team's: 404)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from labs.selectors import lab_instances_for
from rubrics_app.classification.verdict_feedback import (
    FeedbackRefused,
    evaluation_feedback_submit,
)
from rubrics_app.models import Evaluation
from stargate.apiauth import ApiKeyAuth, key_owner
from stargate.apitypes import MAX_ID
from stargate.problems import Problem, ProblemError

GIVER = ApiKeyAuth("approve", "rubrics_app.give_evaluationfeedback")

router = Router(tags=["classification"])
EvaluationId = Annotated[int, Path(ge=1, le=MAX_ID)]
NO_NUL = r"^[^\x00]*$"  # PostgreSQL stores no NUL


class FeedbackIn(Schema):
    correct_classification: bool | None = None
    corrected_class: Annotated[str, Field(max_length=100, pattern=NO_NUL)] = ""
    notes: Annotated[str, Field(max_length=2000, pattern=NO_NUL)] = ""
    action_taken: Annotated[str, Field(max_length=200, pattern=NO_NUL)] = ""
    worked: bool | None = None


class FeedbackOut(Schema):
    id: int
    evaluation_id: int
    stage: str
    failure_class: str
    correct_classification: bool | None
    corrected_class: str
    novel: bool = Field(description="The corrected class is no known failure class.")
    notes: str = Field(description="Redacted.")
    action_taken: str
    worked: bool | None
    reviewed_by: str
    submitted_at: datetime


@router.post(
    "/evaluations/{evaluation_id}/feedback",
    response={201: FeedbackOut, 400: Problem, 404: Problem},
    auth=GIVER,
    url_name="api_evaluation_feedback",
)
def evaluation_feedback(
    request: HttpRequest, evaluation_id: EvaluationId, body: FeedbackIn
) -> Status[FeedbackOut]:
    """Was this failed verdict's class right? Sets the verdict's `human_*` fields."""
    owner = key_owner(request)
    evaluation = Evaluation.objects.filter(
        pk=evaluation_id, lab_instance__in=lab_instances_for(owner)
    ).first()
    if evaluation is None:
        raise ProblemError(404, "no such evaluation")
    try:
        feedback = evaluation_feedback_submit(
            evaluation=evaluation,
            user=owner,
            correct=body.correct_classification,
            corrected_class=body.corrected_class,
            notes=body.notes,
            action_taken=body.action_taken,
            worked=body.worked,
        )
    except FeedbackRefused as exc:
        raise ProblemError(400, str(exc)) from exc
    fields = {f: getattr(feedback, f) for f in FeedbackOut.model_fields if f != "reviewed_by"}
    return Status(201, FeedbackOut(**fields, reviewed_by=owner.username))
