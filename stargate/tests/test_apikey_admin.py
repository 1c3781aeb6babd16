"""The admin's API-key creation: the token in the answer's body only, owner = the creator."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from stargate.apikeys import api_key_authenticate
from stargate.models import ApiKey

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

ADD_URL = "/admin/stargate/apikey/add/"


@pytest.fixture
def staff() -> User:
    user = User.objects.create_user("sam", password="irrelevant-pw-123", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__endswith="_apikey"))
    return user


@pytest.fixture
def root() -> User:
    return User.objects.create_superuser("root", "root@example.com", "irrelevant-pw-123")


def _create(client: Client, **extra: object) -> object:
    return client.post(ADD_URL, {"name": "ci", "scopes": ["read"], **extra})


def test_it_shows_the_token_once_in_the_body_and_never_in_a_cookie(
    client: Client, staff: User
) -> None:
    client.force_login(staff)

    response = _create(client)

    assert response.status_code == 200
    token = response.context["token"]
    assert token.startswith("sg_") and token in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert all(token not in morsel.value for morsel in response.cookies.values())
    assert all(token not in morsel.value for morsel in client.cookies.values())
    later = client.get("/admin/stargate/apikey/").content.decode()
    assert token not in later
    assert api_key_authenticate(f"Bearer {token}", scope="read").owner == staff


def test_it_makes_the_creator_the_owner_even_when_staff_names_a_superuser(
    client: Client, staff: User, root: User
) -> None:
    client.force_login(staff)

    assert "owner" not in client.get(ADD_URL).content.decode().split("<form")[1]
    _create(client, owner=root.pk)

    assert ApiKey.objects.get().owner == staff


def test_it_lets_a_superuser_choose_the_owner(client: Client, staff: User, root: User) -> None:
    client.force_login(root)

    _create(client, owner=staff.pk)

    assert ApiKey.objects.get().owner == staff


def test_it_makes_a_superuser_the_owner_when_they_choose_nobody(client: Client, root: User) -> None:
    client.force_login(root)

    _create(client, owner="")

    assert ApiKey.objects.get().owner == root
