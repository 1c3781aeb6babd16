"""The smoke-test push is team-scoped: a key pushes for the labs its owner sees. A push for
another team's lab answers as one for an unknown lab code (404): nothing stored, no verdict, and
an answer that neither names the lab nor tells it apart from an unknown code."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from collectors.models import ScheduledLab, SmokeTestResult
from labs.models import Team
from labs.tests import factories
from rubrics_app.models import Evaluation
from stargate.apikeys import api_key_create

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

URL = "/api/v1/integration/external-evidence"


def _post(client: Client, owner: User, lab_code: str) -> Any:
    owner.user_permissions.add(Permission.objects.get(codename="add_smoketestresult"))
    token = api_key_create(name=f"{owner}-key", owner=owner, scopes=["approve"]).token
    return client.post(
        URL,
        {"lab_code": lab_code, "outcome": "fail", "steps_failed": 3},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def _push(client: Client, owner: User, lab_code: str) -> dict[str, object]:
    answer = _post(client, owner, lab_code)
    assert answer.status_code == 201, answer.content
    body: dict[str, object] = answer.json()
    return body


@pytest.fixture
def alpha_code() -> str:
    alpha = Team.objects.create(name="team-alpha")
    lab = factories.lab("alphaitem-secret", team=alpha)
    factories.lab_instance(of=lab)
    ScheduledLab.objects.create(source="labagator", lab_code="LB0001", lab=lab)
    return "LB0001"


def test_another_teams_lab_is_pushed_as_an_unknown_one(client: Client, alpha_code: str) -> None:
    bravo = Team.objects.create(name="team-bravo")
    member = User.objects.create_user("bravo-member")
    bravo.members.add(member)
    answer = _post(client, member, alpha_code)
    unknown = _post(client, member, "LB9999")
    assert answer.status_code == unknown.status_code == 404
    assert answer.json()["detail"] == unknown.json()["detail"]
    assert "alpha" not in answer.content.decode()
    assert not SmokeTestResult.objects.exists()
    assert not Evaluation.objects.filter(rubric_id="smoke-test-ready").exists()


def test_a_key_of_the_labs_team_or_an_operator_pushes_for_it(
    client: Client, alpha_code: str
) -> None:
    member = User.objects.create_user("alpha-member")
    Team.objects.get(name="team-alpha").members.add(member)
    assert _push(client, member, alpha_code)["lab"] == "alphaitem-secret"
    operator = factories.platform_operator(User.objects.create_user("demolition"))
    assert _push(client, operator, alpha_code)["lab"] == "alphaitem-secret"
    assert SmokeTestResult.objects.exclude(lab=None).count() == 2
