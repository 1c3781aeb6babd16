"""API-key authentication and per-key rate limits for the ninja API (`stargate.api`).

`ApiKeyAuth(scope)` checks `Authorization: Bearer sg_...` with `stargate.apikeys` and makes the
key's owner the request's user, so views and audit entries act as that user. `KeyRateThrottle`
counts each key's requests per calendar minute in the Django cache (Redis in production, so the
count is shared by every web process; local memory in the embedded mode, which has one web
process).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from stargate.apikeys import SCOPES, ApiKeyError, api_key_authenticate
from stargate.models import ApiKey

WINDOW_SECONDS = 60


class ApiKeyAuth(HttpBearer):
    """A key with `scope`, whose owner holds `permission` if one is named (so a key never
    grants more than its owner may do in the UI). One OpenAPI security scheme for all."""

    def __init__(self, scope: str, permission: str = "") -> None:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}")
        self.scope = scope
        self.permission = permission
        super().__init__()

    def __call__(self, request: HttpRequest) -> ApiKey:
        header = request.headers.get("Authorization", "")
        if "\x00" in header:  # no database takes it; no key has it
            raise ApiKeyError(401, "Invalid API key")
        key = api_key_authenticate(header, scope=self.scope)
        if self.permission and not key.owner.has_perm(self.permission):
            raise ApiKeyError(403, f"the key's owner lacks {self.permission}")
        request.user = key.owner
        request.api_key = key  # type: ignore[attr-defined]
        return key

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover
        raise NotImplementedError("__call__ reads the header itself")


READ = ApiKeyAuth("read")


def key_owner(request: HttpRequest) -> User:
    """The user the request's API key acts as (set by `ApiKeyAuth`)."""
    user = request.user
    assert isinstance(user, User), "an operation without ApiKeyAuth"
    return user


def _window_key(prefix: str, window: int) -> str:
    return f"api-rate:{prefix}:{window}"


class KeyRateThrottle(BaseThrottle):
    """`settings.API_RATE_LIMIT` requests per key per calendar minute (0: no limit).

    A fixed window counted with the cache's atomic `incr`, so concurrent requests on several
    processes never both take the last slot. Stateless: one instance serves every thread.
    """

    def allow_request(self, request: HttpRequest) -> bool:
        limit: int = settings.API_RATE_LIMIT
        key: ApiKey | None = getattr(request, "api_key", None)
        if limit <= 0 or key is None:
            return True
        name = _window_key(key.prefix, int(time.time()) // WINDOW_SECONDS)
        cache.add(name, 0, timeout=WINDOW_SECONDS + 5)
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
        return count <= limit

    def wait(self) -> float:
        return WINDOW_SECONDS - time.time() % WINDOW_SECONDS
