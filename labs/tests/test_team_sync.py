"""SSO groups reach the team mapping through `stargate.auth`'s signal (stargate imports no app)."""

from __future__ import annotations

import pytest

from labs.models import Team
from stargate.auth import sync_teams

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_an_sso_login_makes_the_user_a_member_of_exactly_the_teams_of_their_groups(
    django_user_model,
):
    ops, _dev = Team.objects.create(name="Ops", sso_group="ops"), Team.objects.create(name="Dev")
    user = django_user_model.objects.create_user("sso-user")
    user.teams.add(_dev)
    sync_teams(user, ["ops", "unknown"])
    assert list(user.teams.all()) == [ops]
