"""SSO without a browser: allauth's OIDC views behind LoginRequiredMiddleware, the groups claim."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from stargate.auth import groups_from_claims
from stargate.settings import oidc_app

# Nothing listens there: these views must answer without asking the provider anything.
SERVER_URL = "http://127.0.0.1:9/realms/stargate"


@pytest.fixture
def sso(settings: Settings) -> None:
    settings.OIDC_SERVER_URL = SERVER_URL
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [oidc_app(server_url=SERVER_URL, client_id="sg", secret="s", name="Test SSO")]
        }
    }


@pytest.mark.django_db
def test_it_serves_the_sso_callback_anonymously(client: Client, sso: None) -> None:
    # allauth issue 4001: a callback redirected to the login page loops back to the provider.
    response = client.get("/accounts/oidc/sso/login/callback/?state=unknown&code=x")
    assert response.status_code == 401  # allauth's answer to an unknown state, not a redirect
    assert b"Third-Party Login Failure" in response.content


@pytest.mark.django_db
def test_it_serves_the_sso_login_confirmation_anonymously(client: Client, sso: None) -> None:
    response = client.get("/accounts/oidc/sso/login/")
    assert response.status_code == 200
    assert b"Test SSO" in response.content


@pytest.mark.django_db
def test_it_shows_the_sso_button_only_when_configured(client: Client, settings: Settings) -> None:
    assert b'id="sso-login"' not in client.get("/accounts/login/").content
    settings.OIDC_SERVER_URL = SERVER_URL
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [oidc_app(server_url=SERVER_URL, client_id="sg", secret="s", name="Test SSO")]
        }
    }
    assert b"Log in with Test SSO" in client.get("/accounts/login/").content


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_provider(client: Client, sso: None) -> None:
    assert client.get("/accounts/oidc/other/login/callback/").status_code == 404


@pytest.mark.parametrize(
    ("extra_data", "groups"),
    [
        ({"userinfo": {"groups": ["b", "a"]}, "id_token": {"groups": ["x"]}}, ["a", "b"]),
        ({"userinfo": {"sub": "1"}, "id_token": {"groups": ["x"]}}, ["x"]),
        ({"groups": "solo"}, ["solo"]),
        ({"userinfo": {"groups": ["/ops", "/labs/team-a", "/"]}}, ["labs/team-a", "ops"]),
        ({"userinfo": {"sub": "1"}}, []),
    ],
)
def test_it_reads_the_groups_claim(extra_data: dict[str, object], groups: list[str]) -> None:
    assert groups_from_claims(extra_data) == groups


def test_it_reads_the_configured_groups_claim(settings: Settings) -> None:
    settings.OIDC_GROUPS_CLAIM = "roles"
    assert groups_from_claims({"userinfo": {"roles": ["ops"], "groups": ["x"]}}) == ["ops"]


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_refuses_a_posted_password_when_local_login_is_off(
    client: Client, settings: Settings, admin_user: object, admin_password: str
) -> None:
    settings.LOCAL_LOGIN = False
    page = client.get("/accounts/login/")
    assert b'id="local-login"' not in page.content

    response = client.post("/accounts/login/", {"login": "admin", "password": admin_password})

    assert b"Local accounts are disabled" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_accepts_a_local_password_by_default(
    client: Client, admin_user: object, admin_password: str
) -> None:
    response = client.post("/accounts/login/", {"login": "admin", "password": admin_password})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/3rdparty/login/cancelled/", "/accounts/inactive/", "/accounts/signup/"]
)
def test_it_renders_allauth_pages_in_the_stargate_layout(client: Client, path: str) -> None:
    content = client.get(path).content.decode()
    assert 'class="footer">StarGate' in content
    assert 'href="/accounts/signup/"' not in content
