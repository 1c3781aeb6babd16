"""A user's audience is read from the cache, and never from before a change that decides it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labs.models import Team
from labs.selectors import OPERATORS, Audience, audience_of
from labs.tests.factories import platform_operator

pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True)]


def _fresh(user: User) -> Audience:
    """The audience as a new request reads it (a new user object)."""
    return audience_of(User.objects.get(pk=user.pk))


@pytest.fixture
def member() -> User:
    user = User.objects.create_user("member", password="pw-member-1234")
    Team.objects.create(name="mine").members.add(user)
    return user


def test_it_reads_a_members_audience_without_a_query(member: User) -> None:
    first = _fresh(member)
    user = User.objects.get(pk=member.pk)
    with CaptureQueriesContext(connection) as queries:
        assert audience_of(user) == first
    assert not queries.captured_queries
    assert first.team_ids == frozenset(Team.objects.values_list("pk", flat=True))


def test_a_membership_change_reaches_the_next_request(member: User) -> None:
    assert _fresh(member).team_ids
    Team.objects.get(name="mine").members.remove(member)
    assert _fresh(member) == Audience()
    other = Team.objects.create(name="other")
    other.members.add(member)
    assert _fresh(member).team_ids == {other.pk}


def test_a_permission_group_or_operator_team_change_reaches_the_next_request(
    member: User,
) -> None:
    _fresh(member)
    platform_operator(member)
    assert _fresh(member) == OPERATORS
    member.user_permissions.clear()
    assert _fresh(member) != OPERATORS

    group = Group.objects.create(name="ops")
    member.groups.add(group)
    assert _fresh(member) != OPERATORS
    group.permissions.add(Permission.objects.get(codename="view_all_labs"))
    assert _fresh(member) == OPERATORS
    group.permissions.clear()
    assert _fresh(member) != OPERATORS

    team = Team.objects.get(name="mine")
    team.platform_operators = True
    team.save()
    assert _fresh(member) == OPERATORS


def test_a_disabled_user_sees_nothing_at_once(member: User) -> None:
    assert _fresh(member).team_ids
    User.objects.filter(pk=member.pk).update(is_active=False)  # no signal: not needed
    assert _fresh(member) == Audience()
