"""SSO groups reach the labs teams through a signal: stargate (the ground) imports no app."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from labs.models import Team
from stargate.auth import sync_teams

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_it_makes_the_user_a_member_of_exactly_the_matching_teams() -> None:
    ops = Team.objects.create(name="Ops", sso_group="stargate-ops")
    Team.objects.create(name="Team A", sso_group="lab-team-a")
    user = User.objects.create_user("alice")
    sync_teams(user, ["stargate-ops", "unknown"])
    assert list(user.teams.all()) == [ops]
    sync_teams(user, [])
    assert not user.teams.exists()
