"""API keys for programs: `Authorization: Bearer sg_<prefix>_<secret>`.

Keys are hashed at rest (SHA-256 of a 256-bit random secret: no slow hash needed for such entropy),
compared in constant time, scoped, and revocable.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone

from stargate.models import ApiKey

# Scopes imply the ones below them: admin can approve and read; approve can read.
_IMPLIED = {"read": {"read"}, "approve": {"read", "approve"}, "admin": {"read", "approve", "admin"}}
SCOPES = tuple(_IMPLIED)


class ApiKeyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class CreatedKey:
    api_key: ApiKey
    token: str  # shown once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_create(*, name: str, owner: User, scopes: list[str]) -> CreatedKey:
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}; got {sorted(scopes)}")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name, prefix=prefix, digest=_digest(secret), scopes=sorted(scopes), owner=owner
    )
    return CreatedKey(api_key=key, token=f"sg_{prefix}_{secret}")


def api_key_revoke(*, api_key: ApiKey) -> None:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_key_authenticate(authorization: str, *, scope: str) -> ApiKey:
    """Return the key for an `Authorization` header value, or raise ApiKeyError (401 or 403)."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.startswith("sg_"):
        raise ApiKeyError(401, "An API key is required: Authorization: Bearer sg_...")
    _, prefix, secret = [*token.split("_", 2), "", ""][:3]
    key = ApiKey.objects.select_related("owner").filter(prefix=prefix).first()
    # Compare against a dummy digest when the prefix is unknown so timing says nothing.
    expected = key.digest if key else _digest("no-such-key")
    if not hmac.compare_digest(expected, _digest(secret)) or key is None:
        raise ApiKeyError(401, "Invalid API key")
    if not key.is_active:
        raise ApiKeyError(401, "This API key has been revoked")
    if not any(scope in _IMPLIED.get(granted, set()) for granted in key.scopes):
        raise ApiKeyError(403, f"This API key lacks the {scope!r} scope")
    if key.owner is not None and not key.owner.is_active:
        raise ApiKeyError(401, "The owner of this API key is inactive")
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key
