"""Password reset exists only where it can work: mail configured and local accounts on."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from pytest_django.fixtures import Settings

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

RESET = "/accounts/password/reset/"


def test_it_hides_reset_without_mail(client: Client, admin_user: object) -> None:
    assert client.post(RESET, {"email": "admin@example.com"}).status_code == 404
    assert client.get(RESET + "done/").status_code == 404
    assert b'id="password-reset"' not in client.get("/accounts/login/").content


def test_it_offers_reset_with_mail(client: Client, admin_user: object, settings: Settings) -> None:
    settings.MAIL_CONFIGURED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert b'id="password-reset"' in client.get("/accounts/login/").content
    response = client.post(RESET, {"email": "admin@example.com"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_it_hides_reset_when_local_accounts_are_off(client: Client, settings: Settings) -> None:
    settings.MAIL_CONFIGURED = True
    settings.LOCAL_LOGIN = False
    assert client.get(RESET).status_code == 404
