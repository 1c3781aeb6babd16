from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def operator(django_user_model):
    from labs.tests.factories import platform_operator

    user = django_user_model.objects.create_user("bob", "bob@example.com", "pw-bob-123456")
    return platform_operator(user)


@pytest.fixture
def operator_client(client: Client, operator) -> Client:
    client.force_login(operator)
    return client


@pytest.fixture(autouse=True)
def fresh_fleet_counts():
    """Fleet counts are cached across requests (and, with Redis, across processes)."""
    from dashboard.fleet import fleet_forget

    fleet_forget()
    yield
    fleet_forget()
