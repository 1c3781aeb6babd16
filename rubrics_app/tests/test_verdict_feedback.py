"""Evaluation feedback (spec 17): a permitted person says whether a failed verdict's class was
right; the record and the verdict's `human_*` fields; team-scoped; the engine's class stays."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from labs.models import Team
from labs.tests import factories
from rubrics_app.classification.verdict_feedback import (
    FeedbackRefused,
    evaluation_feedback_submit,
)
from rubrics_app.models import Evaluation, EvaluationFeedback

from .classification_fixtures import scan, unexplained

pytestmark = pytest.mark.django_db


def _failed(team: Team | None = None, guid: str = "fb1") -> Evaluation:
    lab = factories.lab_instance(of=factories.lab(team=team), guid=guid)
    scan(lab, unexplained())
    return Evaluation.objects.get(lab_instance=lab, outcome="failed")


def _giver(team: Team | None = None, name: str = "giver") -> User:
    user = User.objects.create_user(name, password="pw-for-tests-1")
    user.user_permissions.add(Permission.objects.get(codename="give_evaluationfeedback"))
    if team is None:
        factories.platform_operator(user)
    else:
        team.members.add(user)
    return User.objects.get(pk=user.pk)


def test_it_records_a_correction_and_sets_the_verdicts_human_fields() -> None:
    evaluation = _failed()
    source, cls = evaluation.class_source, evaluation.failure_class
    feedback = evaluation_feedback_submit(
        evaluation=evaluation,
        user=_giver(),
        correct=None,
        corrected_class="Keyring_Locked",
        notes="token password=hunter2secret in the log",
        action_taken="restart-deployment",
        worked=True,
    )
    assert (feedback.correct_classification, feedback.corrected_class) == (False, "keyring-locked")
    assert feedback.novel and feedback.stage and feedback.failure_class == cls
    assert "hunter2secret" not in feedback.notes
    evaluation.refresh_from_db()
    assert evaluation.human_confirmed is False
    assert evaluation.human_corrected_class == "keyring-locked"
    assert "hunter2secret" not in evaluation.human_notes
    # feedback only: the class and its source stay the engine's
    assert (evaluation.failure_class, evaluation.class_source) == (cls, source)


def test_it_confirms_a_class_and_the_latest_word_wins() -> None:
    evaluation = _failed()
    user = _giver()
    evaluation_feedback_submit(evaluation=evaluation, user=user, correct=False)
    evaluation_feedback_submit(
        evaluation=evaluation, user=user, correct=None, corrected_class=evaluation.failure_class
    )
    evaluation.refresh_from_db()
    assert (evaluation.human_confirmed, evaluation.human_corrected_class) == (True, "")
    assert EvaluationFeedback.objects.filter(evaluation=evaluation).count() == 2


def test_it_refuses_contradictions_bad_names_and_verdicts_not_failed() -> None:
    evaluation = _failed()
    user = _giver()
    with pytest.raises(FeedbackRefused):
        evaluation_feedback_submit(
            evaluation=evaluation, user=user, correct=True, corrected_class="other-class"
        )
    with pytest.raises(FeedbackRefused):
        evaluation_feedback_submit(
            evaluation=evaluation, user=user, correct=None, corrected_class="Not A Class!"
        )
    Evaluation.objects.filter(pk=evaluation.pk).update(outcome="ready")
    evaluation.refresh_from_db()
    with pytest.raises(FeedbackRefused):
        evaluation_feedback_submit(evaluation=evaluation, user=user, correct=True)
    assert not EvaluationFeedback.objects.exists()


def _post(client: Client, evaluation: Evaluation, **data: Any) -> Any:
    return client.post(
        f"/rubrics/verdicts/{evaluation.pk}/feedback/", data, headers={"HX-Request": "true"}
    )


def test_the_lab_page_form_records_feedback_for_a_permitted_team_member() -> None:
    ours = Team.objects.create(name="ours")
    evaluation = _failed(ours)
    client = Client()
    client.force_login(_giver(ours))
    lab_page = client.get(f"/labs/{evaluation.lab_instance_id}/").content.decode()
    assert f'hx-get="/rubrics/verdicts/{evaluation.pk}/feedback/"' in lab_page
    panel = client.get(f"/rubrics/verdicts/{evaluation.pk}/feedback/").content.decode()
    assert "csrfmiddlewaretoken" in panel and "Send feedback" in panel
    answer = _post(client, evaluation, correct="no", new_class="cert-expired", worked="no")
    assert answer.status_code == 200
    assert "should be <strong>cert-expired</strong>" in answer.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.human_corrected_class == "cert-expired"
    refused = _post(client, evaluation, correct="yes", new_class="other-class")
    assert "needs no corrected class" in refused.content.decode()


def test_it_answers_404_for_another_teams_verdict() -> None:
    ours, theirs = Team.objects.create(name="ours"), Team.objects.create(name="theirs")
    evaluation = _failed(theirs)
    client = Client()
    client.force_login(_giver(ours))
    assert client.get(f"/rubrics/verdicts/{evaluation.pk}/feedback/").status_code == 404
    assert _post(client, evaluation, correct="yes").status_code == 404
    assert not EvaluationFeedback.objects.exists()


def test_without_the_permission_there_is_no_form_and_a_post_is_refused() -> None:
    ours = Team.objects.create(name="ours")
    evaluation = _failed(ours)
    member = User.objects.create_user("member", password="pw-for-tests-1")
    ours.members.add(member)
    client = Client()
    client.force_login(member)
    panel = client.get(f"/rubrics/verdicts/{evaluation.pk}/feedback/").content.decode()
    assert "Send feedback" not in panel
    assert _post(client, evaluation, correct="yes").status_code == 403
    assert not EvaluationFeedback.objects.exists()
