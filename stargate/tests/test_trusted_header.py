"""oauth-proxy mode: X-Forwarded-User logs a user in, but only from STARGATE_TRUSTED_PROXY_IPS."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from stargate.auth import is_trusted_proxy, proxy_user_get_or_create

PROXY = "10.128.0.7"


@pytest.fixture
def proxy(settings: Settings) -> None:
    settings.TRUSTED_PROXY_IPS = ["127.0.0.2", "10.128.0.0/14"]


def _get(client: Client, *, peer: str, user: str = "", email: str = "") -> Any:
    headers = {"X-Forwarded-User": user, "X-Forwarded-Email": email} if user else {}
    return client.get("/", REMOTE_ADDR=peer, headers=headers)


def _logged_in_as(response: Any) -> str | None:
    if response.status_code != 200:
        return None
    return str(response.wsgi_request.user.get_username())


@pytest.mark.django_db
def test_it_logs_in_the_user_named_by_the_proxy(client: Client, proxy: None) -> None:
    response = _get(client, peer=PROXY, user="bob", email="bob@example.com")

    assert _logged_in_as(response) == "bob"
    user = get_user_model().objects.get(username="bob")
    assert user.email == "bob@example.com"
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_it_keeps_the_session_after_the_proxy_login(client: Client, proxy: None) -> None:
    _get(client, peer=PROXY, user="bob")
    assert _logged_in_as(_get(client, peer="192.0.2.1")) == "bob"


@pytest.mark.smoke
@pytest.mark.django_db
@pytest.mark.parametrize("peer", ["192.0.2.1", "127.0.0.1", "10.132.0.1", "not-an-ip"])
def test_it_ignores_the_headers_from_other_peers(client: Client, proxy: None, peer: str) -> None:
    response = _get(client, peer=peer, user="bob")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not get_user_model().objects.filter(username="bob").exists()


@pytest.mark.django_db
def test_it_ignores_the_headers_without_a_configured_proxy(client: Client) -> None:
    assert _get(client, peer="127.0.0.1", user="bob").status_code == 302
    assert not get_user_model().objects.filter(username="bob").exists()


def _disable(uid: str) -> None:
    user = proxy_user_get_or_create(uid=uid, email="")
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_refuses_a_disabled_user(client: Client, proxy: None) -> None:
    _disable("bob")
    assert _get(client, peer=PROXY, user="bob").status_code == 302


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_never_maps_the_proxy_user_to_a_local_account_of_that_name(
    client: Client, proxy: None
) -> None:
    admin = get_user_model().objects.create_superuser("admin", "a@example.com", "pw-12345678")

    response = _get(client, peer=PROXY, user="admin")

    user = response.wsgi_request.user
    assert response.status_code == 200
    assert user.pk != admin.pk
    assert not user.is_superuser and not user.is_staff
    assert SocialAccount.objects.get(provider="oauth_proxy", uid="admin").user_id == user.pk


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_never_logs_in_a_local_user_whose_name_the_proxy_sends(
    client: Client, proxy: None
) -> None:
    local = get_user_model().objects.create_user("bob", password="pw-12345678")
    assert client.login(username="bob", password="pw-12345678")

    response = _get(client, peer=PROXY, user="bob")

    assert response.wsgi_request.user.pk != local.pk


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_finds_a_returning_proxy_user_by_the_linked_id(client: Client, proxy: None) -> None:
    first = _get(client, peer=PROXY, user="bob").wsgi_request.user
    get_user_model().objects.filter(pk=first.pk).update(username="robert")

    again = _get(Client(), peer=PROXY, user="bob").wsgi_request.user

    assert again.pk == first.pk
    assert get_user_model().objects.count() == 1


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_ends_the_session_when_the_proxy_names_a_disabled_user(
    client: Client, proxy: None
) -> None:
    _disable("carol")
    _get(client, peer=PROXY, user="bob")
    assert _get(client, peer=PROXY, user="carol").status_code == 302
    assert _get(client, peer="192.0.2.1").status_code == 302


@pytest.mark.django_db
def test_it_follows_the_proxy_when_it_names_another_user(client: Client, proxy: None) -> None:
    _get(client, peer=PROXY, user="bob")
    assert _logged_in_as(_get(client, peer=PROXY, user="carol")) == "carol"


@pytest.mark.django_db
def test_it_ignores_two_user_headers_joined_by_a_comma(client: Client, proxy: None) -> None:
    assert _get(client, peer=PROXY, user="mallory,bob").status_code == 302
    assert get_user_model().objects.count() == 0


@pytest.mark.parametrize(
    ("peer", "trusted"),
    [("127.0.0.2", True), ("10.131.255.1", True), ("10.132.0.1", False), ("::1", False)],
)
def test_it_matches_addresses_and_networks(peer: str, trusted: bool) -> None:
    assert is_trusted_proxy(peer, ("127.0.0.2", "10.128.0.0/14")) is trusted


def test_it_rejects_a_bad_proxy_address_at_startup() -> None:
    env = {**os.environ, "STARGATE_TRUSTED_PROXY_IPS": "10.0.0.1,proxy.local"}
    result = subprocess.run(
        [sys.executable, "-c", "import stargate.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "STARGATE_TRUSTED_PROXY_IPS" in result.stderr
    assert "proxy.local" in result.stderr


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_logs_in_a_browser_behind_a_sidecar_proxy(
    page: Page, live_server: LiveServer, settings: Settings
) -> None:
    # The live server sees Chromium's loopback address, as StarGate sees an oauth-proxy sidecar.
    settings.TRUSTED_PROXY_IPS = ["127.0.0.1", "::1"]
    page.set_extra_http_headers({"X-Forwarded-User": "dana", "X-Forwarded-Email": "d@example.com"})

    page.goto(live_server.url + "/")

    expect(page.locator("h1")).to_have_text("Fleet overview")
    expect(page.locator("#current-user")).to_have_text("dana")
