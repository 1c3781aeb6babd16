"""Evaluation feedback through the typed API: an approve key whose owner may give feedback,
on the owner's teams' verdicts only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from labs.models import Team
from labs.tests import factories
from rubrics_app.models import Evaluation, EvaluationFeedback
from stargate.apikeys import api_key_create

from .classification_fixtures import scan, unexplained

pytestmark = pytest.mark.django_db


def _verdict(team: Team, guid: str) -> Evaluation:
    lab = factories.lab_instance(of=factories.lab(team=team), guid=guid)
    scan(lab, unexplained())
    return Evaluation.objects.get(lab_instance=lab, outcome="failed")


def _key(team: Team, scopes: list[str], *, permitted: bool = True) -> str:
    owner = User.objects.create_user(f"owner-{User.objects.count()}")
    if permitted:
        owner.user_permissions.add(Permission.objects.get(codename="give_evaluationfeedback"))
    team.members.add(owner)
    return f"Bearer {api_key_create(name='k', owner=owner, scopes=scopes).token}"


def _post(evaluation: Evaluation, key: str, body: dict[str, object]) -> object:
    return Client().post(
        f"/api/v1/rubrics/evaluations/{evaluation.pk}/feedback",
        body,
        content_type="application/json",
        headers={"Authorization": key},
    )


def test_it_records_feedback_for_the_owners_team() -> None:
    ours = Team.objects.create(name="ours")
    evaluation = _verdict(ours, "api1")
    body = {"correct_classification": False, "corrected_class": "cert-expired", "worked": True}
    answer = _post(evaluation, _key(ours, ["approve"]), body)
    assert answer.status_code == 201, answer.content  # type: ignore[attr-defined]
    data = answer.json()  # type: ignore[attr-defined]
    assert (data["corrected_class"], data["evaluation_id"]) == ("cert-expired", evaluation.pk)
    evaluation.refresh_from_db()
    assert (evaluation.human_confirmed, evaluation.human_corrected_class) == (False, "cert-expired")


def test_it_refuses_other_teams_read_keys_owners_without_the_permission_and_nonsense() -> None:
    ours, theirs = Team.objects.create(name="ours"), Team.objects.create(name="theirs")
    evaluation = _verdict(theirs, "api2")
    answer = _post(evaluation, _key(ours, ["approve"]), {"correct_classification": True})
    assert answer.status_code == 404  # type: ignore[attr-defined]
    assert "theirs" not in answer.content.decode()  # type: ignore[attr-defined]
    assert _post(evaluation, _key(theirs, ["read"]), {}).status_code == 403  # type: ignore[attr-defined]
    unpermitted = _key(theirs, ["approve", "read"], permitted=False)
    assert _post(evaluation, unpermitted, {}).status_code == 403  # type: ignore[attr-defined]
    bad = {"correct_classification": True, "corrected_class": "other-class"}
    permitted = _key(theirs, ["admin"])
    assert _post(evaluation, permitted, bad).status_code == 400  # type: ignore[attr-defined]
    nul = {"correct_classification": True, "notes": "a\x00b"}
    assert _post(evaluation, permitted, nul).status_code == 400  # type: ignore[attr-defined]
    assert not EvaluationFeedback.objects.exists()
