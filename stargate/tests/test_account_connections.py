"""The third-party accounts page (`/accounts/3rdparty/`) with the oauth-proxy provider installed.

The oauth-proxy provider has no login URL (the proxy logs users in with trusted headers), so
the page never offers it as an account to add, and a proxy user's link, which is how the proxy
finds their account, cannot be removed there."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client

from stargate.auth import proxy_user_get_or_create
from stargate.oauth_proxy.provider import PROVIDER_ID

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

PAGE = "/accounts/3rdparty/"


def test_it_renders_the_page_for_a_local_user(client: Client) -> None:
    client.force_login(get_user_model().objects.create_user("alice", password="pw-alice-1234"))

    response = client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "no third-party accounts" in html
    assert "OpenShift oauth-proxy" not in html  # nothing to add: the proxy logs users in


def test_it_lists_a_proxy_users_link(client: Client) -> None:
    user = proxy_user_get_or_create(uid="bob", email="bob@example.com")
    client.force_login(user)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert 'name="account"' in response.content.decode()


def test_it_keeps_a_proxy_users_link(client: Client) -> None:
    user = proxy_user_get_or_create(uid="bob", email="bob@example.com")
    client.force_login(user)
    account = SocialAccount.objects.get(provider=PROVIDER_ID, uid="bob")

    response = client.post(PAGE, {"account": account.pk})

    assert response.status_code == 200  # the form again, with the reason
    assert "oauth-proxy" in response.content.decode()
    assert SocialAccount.objects.filter(pk=account.pk).exists()
