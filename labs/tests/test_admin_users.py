"""The admin's user lists name a staff team member's teammates only; groups, the task queue
and the identities (emails, SSO accounts and apps) are the platform operators'."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from labs.models import Team
from labs.tests.factories import platform_operator

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

APPS = ["auth", "labs", "django_q", "account", "socialaccount"]
OPERATORS_ONLY = [
    "auth/group",
    "django_q/schedule",
    "django_q/success",
    "django_q/failure",
    "account/emailaddress",
    "socialaccount/socialaccount",
    "socialaccount/socialapp",
]


@pytest.fixture
def member() -> User:
    for name in ("alpha", "bravo"):
        team = Team.objects.create(name=f"team-{name}")
        team.members.add(User.objects.create_user(f"z{name}-member", email=f"z{name}@x.org"))
    User.objects.create_user("zloner")
    user = User.objects.get(username="zbravo-member")
    user.is_staff = True
    user.save()
    granted = Permission.objects.filter(content_type__app_label__in=APPS)
    user.user_permissions.add(*granted.exclude(codename="view_all_labs"))
    return user


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_lists_a_members_teammates_only(member: User) -> None:
    client = _as(member)
    mate = User.objects.create_user("zbravo-mate")
    Team.objects.get(name="team-bravo").members.add(mate)
    listed = client.get("/admin/auth/user/").content.decode()
    assert "zbravo-mate" in listed and "zalpha" not in listed and "zloner" not in listed
    team = Team.objects.get(name="team-bravo")
    page = client.get(f"/admin/labs/team/{team.pk}/change/").content.decode()
    assert "zbravo-mate" in page and "zalpha" not in page and "zloner" not in page
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "labs", "model_name": "team", "field_name": "members", "term": "z"},
    ).json()
    assert {r["text"] for r in found["results"]} == {"zbravo-member", "zbravo-mate"}
    alpha = User.objects.get(username="zalpha-member")
    for page in ("change", "password", "history", "delete"):
        response = client.get(f"/admin/auth/user/{alpha.pk}/{page}/")
        assert response.status_code in (302, 404) and "zalpha" not in response.content.decode()


def test_a_member_cannot_grant_themselves_anything(member: User) -> None:
    client = _as(member)
    page = client.get(f"/admin/auth/user/{member.pk}/change/")
    assert page.status_code == 200
    client.post(
        f"/admin/auth/user/{member.pk}/change/",
        {
            "username": "zbravo-member",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "user_permissions": [Permission.objects.get(codename="view_all_labs").pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    member.refresh_from_db()
    assert not member.is_superuser
    assert not member.user_permissions.filter(codename="view_all_labs").exists()


def test_the_queue_groups_and_identities_are_for_operators(member: User) -> None:
    client = _as(member)
    for path in OPERATORS_ONLY:
        assert client.get(f"/admin/{path}/").status_code == 403, path
    index = client.get("/admin/").content.decode()
    for name in ("Groups", "Scheduled tasks", "Email addresses", "Social accounts"):
        assert name not in index, name
    assert "Users" in index
    operator = _as(platform_operator(member))
    for path in OPERATORS_ONLY:
        assert operator.get(f"/admin/{path}/").status_code == 200, path
    listed = operator.get("/admin/auth/user/").content.decode()
    assert "zalpha-member" in listed and "zloner" in listed
