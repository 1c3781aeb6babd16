"""A team member switches the pause of the clusters they see only: another team's cluster is
an unknown one (page and API alike, so a name cannot be probed), and the global switch, which
stops or resumes every team's remediation, is the platform operators'."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from labs.models import Team
from labs.tests import factories
from remediation.models import RemediationPause
from stargate.apikeys import api_key_create

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
API = "/api/v1/remediation/pause"


@pytest.fixture
def member() -> User:
    bravo = Team.objects.create(name="team-bravo")
    factories.lab_instance(on=factories.cluster("shared-east"), of=factories.lab(team=bravo))
    factories.lab_instance(on=factories.cluster("alpha-only"))  # a lab of no team of theirs
    user = User.objects.create_user("bravo-member")
    bravo.members.add(user)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_remediationpause", "view_remediationpause"]
        )
    )
    return user


def _api(client: Client, user: User, **body: object) -> object:
    token = api_key_create(name="k", owner=user, scopes=["approve"]).token
    return client.post(
        API,
        {"paused": True, "reason": "storm", **body},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_another_teams_cluster_is_unknown_to_the_api(client: Client, member: User) -> None:
    hidden = _api(client, member, cluster="alpha-only")
    unknown = _api(client, member, cluster="no-such")
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.json()["type"] == unknown.json()["type"]
    assert _api(client, member, cluster="shared-east").status_code == 200
    assert list(RemediationPause.objects.values_list("cluster__name", flat=True)) == ["shared-east"]


def test_the_global_switch_is_the_operators(client: Client, member: User) -> None:
    refused = _api(client, member)
    assert refused.status_code == 403 and "platform operators" in refused.json()["detail"]
    client.force_login(member)
    client.post("/remediation/pause/set/", {"paused": "on", "reason": "storm"})
    client.post("/remediation/pause/set/", {"paused": "on", "reason": "x", "cluster": "alpha-only"})
    assert not RemediationPause.objects.exists()
    operator = factories.platform_operator(member)
    assert _api(Client(), User.objects.get(pk=operator.pk)).status_code == 200
    assert RemediationPause.objects.filter(cluster=None, paused=True).exists()
