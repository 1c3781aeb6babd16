from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from stargate.apikeys import api_key_create, api_key_revoke
from stargate.models import ApiKey

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def owner() -> User:
    return User.objects.create_user("robot", password="irrelevant-pw-123")


def _whoami(client: Client, token: str) -> tuple[int, dict[str, object]]:
    response = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def test_it_accepts_a_valid_key(client: Client, owner: User) -> None:
    created = api_key_create(name="ci", owner=owner, scopes=["read"])
    status, body = _whoami(client, created.token)
    assert status == 200
    assert body == {"user": "robot", "key": "ci", "scopes": ["read"]}
    created.api_key.refresh_from_db()
    assert created.api_key.last_used_at is not None


def test_it_stores_only_a_digest(owner: User) -> None:
    created = api_key_create(name="ci", owner=owner, scopes=["read"])
    secret = created.token.split("_", 2)[2]
    row = ApiKey.objects.get(pk=created.api_key.pk)
    assert secret not in row.digest and len(row.digest) == 64


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "sg_0000_x"]
)
def test_it_refuses_a_wrong_key(client: Client, owner: User, mangle) -> None:  # type: ignore[no-untyped-def]
    created = api_key_create(name="ci", owner=owner, scopes=["read"])
    status, body = _whoami(client, mangle(created.token))
    assert status == 401
    assert (body["status"], body["error"]) == (401, "Invalid API key")


def test_it_refuses_a_missing_key(client: Client) -> None:
    response = client.get("/api/v1/whoami")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_a_revoked_key(client: Client, owner: User) -> None:
    created = api_key_create(name="ci", owner=owner, scopes=["read"])
    api_key_revoke(api_key=created.api_key)
    status, body = _whoami(client, created.token)
    assert status == 401
    assert (body["status"], body["error"]) == (401, "This API key has been revoked")


def test_it_refuses_a_key_whose_owner_is_inactive(client: Client, owner: User) -> None:
    created = api_key_create(name="ci", owner=owner, scopes=["admin"])
    User.objects.filter(pk=owner.pk).update(is_active=False)

    status, body = _whoami(client, created.token)

    assert status == 401
    assert (body["status"], body["error"]) == (401, "The owner of this API key is inactive")
    created.api_key.refresh_from_db()
    assert created.api_key.last_used_at is None


def test_it_refuses_a_key_without_the_scope(client: Client, owner: User) -> None:
    from stargate.apikeys import ApiKeyError, api_key_authenticate

    created = api_key_create(name="reader", owner=owner, scopes=["read"])
    with pytest.raises(ApiKeyError) as excinfo:
        api_key_authenticate(f"Bearer {created.token}", scope="approve")
    assert excinfo.value.status == 403


def test_it_lets_a_wider_scope_imply_a_narrower_one(client: Client, owner: User) -> None:
    created = api_key_create(name="admin", owner=owner, scopes=["admin"])
    status, _ = _whoami(client, created.token)
    assert status == 200


def test_it_rejects_unknown_scopes(owner: User) -> None:
    with pytest.raises(ValueError, match="scopes must be some of"):
        api_key_create(name="x", owner=owner, scopes=["root"])
