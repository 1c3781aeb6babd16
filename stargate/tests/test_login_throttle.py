"""One brute-force throttle on every password entry point: /accounts/login/ and the admin's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import Settings

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

WRONG = "not-the-password"


@pytest.fixture(autouse=True)
def fresh_counters() -> Iterator[None]:
    cache.clear()  # allauth keeps its counters in the cache
    yield
    cache.clear()


def _admin_login(client: Client, password: str) -> bool:
    client.post("/admin/login/?next=/admin/", {"username": "admin", "password": password})
    return client.get("/admin/").status_code == 200


def _accounts_login(client: Client, password: str) -> None:
    client.post("/accounts/login/", {"login": "admin", "password": password})


def test_it_throttles_the_admin_login(
    client: Client, admin_user: object, admin_password: str
) -> None:
    for _ in range(5):
        assert not _admin_login(client, WRONG)

    assert not _admin_login(client, admin_password)
    response = client.post("/admin/login/", {"username": "admin", "password": admin_password})
    assert "Too many failed login attempts" in response.content.decode()


def test_it_shares_the_counters_between_the_two_login_forms(
    client: Client, admin_user: object, admin_password: str
) -> None:
    for _ in range(3):
        _accounts_login(client, WRONG)
    for _ in range(2):
        assert not _admin_login(client, WRONG)

    assert not _admin_login(client, admin_password)


def test_it_still_logs_in_staff_with_the_right_password(
    client: Client, admin_user: object, admin_password: str
) -> None:
    assert _admin_login(client, admin_password)


def test_it_refuses_admin_passwords_when_local_accounts_are_off(
    client: Client, admin_user: object, admin_password: str, settings: Settings
) -> None:
    settings.LOCAL_LOGIN = False
    assert not _admin_login(client, admin_password)


def test_it_sends_the_admin_password_change_to_the_throttled_form(
    client: Client, admin_user: object
) -> None:
    client.force_login(admin_user)  # type: ignore[arg-type]
    response = client.get("/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/"
    assert client.get(response["Location"]).status_code == 200
