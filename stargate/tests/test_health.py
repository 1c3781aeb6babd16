from __future__ import annotations

import pytest
from django.test import Client, override_settings


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_answers_liveness_without_login(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_is_ready_when_database_and_broker_answer(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_it_is_not_ready_when_the_broker_is_down(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error:")
