"""SSO end to end: Chromium, the live server and a real OpenID Connect provider on loopback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from labs.models import Team
from stargate.settings import oidc_app
from tests.oidc.server import CLIENT_ID, CLIENT_SECRET, OidcProvider, running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALICE = {
    "email": "alice@example.com",
    "name": "Alice Ops",
    "groups": ["stargate-ops", "lab-team-a"],
}


@pytest.fixture
def oidc(live_server: LiveServer, settings: Settings, tmp_path: Path) -> Iterator[OidcProvider]:
    redirect_uri = f"{live_server.url}/accounts/oidc/sso/login/callback/"
    with running_provider(
        redirect_uri=redirect_uri, users_file=tmp_path / "users.json"
    ) as provider:
        provider.set_users({"alice": ALICE})
        # allauth reads the apps from the settings at each request: the live server sees these.
        settings.OIDC_SERVER_URL = provider.issuer
        settings.SOCIALACCOUNT_PROVIDERS = {
            "openid_connect": {
                "APPS": [
                    oidc_app(
                        server_url=provider.issuer,
                        client_id=CLIENT_ID,
                        secret=CLIENT_SECRET,
                        name="Test SSO",
                    )
                ]
            }
        }
        yield provider


@pytest.fixture
def teams() -> dict[str, Team]:
    return {
        "ops": Team.objects.create(name="Ops", sso_group="stargate-ops"),
        "a": Team.objects.create(name="Team A", sso_group="lab-team-a"),
        "b": Team.objects.create(name="Team B", sso_group="lab-team-b"),
        "none": Team.objects.create(name="No SSO"),
    }


def _sso_login(page: Page, live_url: str, login: str, *, issuer: str) -> None:
    page.goto(live_url + "/")
    expect(page).to_have_url(f"{live_url}/accounts/login/?next=/")
    page.click("#sso-login")
    expect(page).to_have_url(re.compile(rf"^{re.escape(issuer)}/interaction/"))
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any-password")
    page.click("button[type=submit]")
    expect(page.locator("button[type=submit]")).to_have_text("Continue")  # the consent page
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Fleet overview")


def _team_names(username: str) -> set[str]:
    user: Any = get_user_model().objects.get(username=username)
    return set(user.teams.values_list("name", flat=True))


def test_it_logs_in_through_the_oidc_provider(
    page: Page, live_server: LiveServer, oidc: OidcProvider, teams: dict[str, Team]
) -> None:
    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("#sso-login")).to_have_text("Log in with Test SSO")

    _sso_login(page, live_server.url, "alice", issuer=oidc.issuer)

    assert page.url == live_server.url + "/"
    expect(page.locator("#current-user")).to_have_text("alice")
    user = get_user_model().objects.get(username="alice")
    assert user.email == "alice@example.com"
    assert not user.has_usable_password()
    assert _team_names("alice") == {"Ops", "Team A"}


def test_it_updates_the_teams_on_the_next_login(
    page: Page, live_server: LiveServer, oidc: OidcProvider, teams: dict[str, Team]
) -> None:
    _sso_login(page, live_server.url, "alice", issuer=oidc.issuer)
    assert _team_names("alice") == {"Ops", "Team A"}

    oidc.set_users({"alice": {**ALICE, "groups": ["stargate-ops", "lab-team-b"]}})
    page.context.clear_cookies()  # a new browser session at both StarGate and the provider
    _sso_login(page, live_server.url, "alice", issuer=oidc.issuer)

    assert _team_names("alice") == {"Ops", "Team B"}
    assert get_user_model().objects.filter(username="alice").count() == 1


def test_it_stays_anonymous_when_the_user_cancels_at_the_provider(
    page: Page, live_server: LiveServer, oidc: OidcProvider
) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.click("#sso-login")
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", "any-password")
    page.click("button[type=submit]")
    page.click("text=[ Cancel ]")  # on the consent page: the provider answers access_denied

    expect(page).to_have_url(f"{live_server.url}/accounts/3rdparty/login/cancelled/")
    expect(page.locator("h1")).to_have_text("Login Cancelled")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    assert not get_user_model().objects.filter(username="alice").exists()


def test_it_refuses_a_disabled_user(
    page: Page, live_server: LiveServer, oidc: OidcProvider, teams: dict[str, Team]
) -> None:
    _sso_login(page, live_server.url, "alice", issuer=oidc.issuer)
    get_user_model().objects.filter(username="alice").update(is_active=False)

    page.goto(live_server.url + "/")  # the running session ends with the account
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.context.clear_cookies()  # and the provider's session, so that it asks again
    page.reload()
    page.click("#sso-login")
    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", "any-password")
    page.click("button[type=submit]")
    page.click("button[type=submit]")  # consent

    expect(page).to_have_url(f"{live_server.url}/accounts/inactive/")
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")


def test_it_never_logs_an_sso_user_into_a_local_account_of_the_same_name(
    page: Page, live_server: LiveServer, oidc: OidcProvider, teams: dict[str, Team]
) -> None:
    local = get_user_model().objects.create_user("alice", ALICE["email"], "local-password")

    _sso_login(page, live_server.url, "alice", issuer=oidc.issuer)

    sso_user = get_user_model().objects.get(socialaccount__uid="alice")
    assert sso_user.pk != local.pk
    expect(page.locator("#current-user")).to_have_text(sso_user.get_username())
    assert list(local.teams.all()) == []  # type: ignore[attr-defined]
