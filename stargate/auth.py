"""Who may log in, and how: local accounts, OpenID Connect (Red Hat SSO), oauth-proxy headers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)


class NoSignupAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Local accounts are created by an administrator, never by visitors."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class TeamMappingSocialAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    """SSO users are created on first login; their groups claim decides their teams.

    The teams follow the claim at every login, so a user removed from a group in the SSO loses the
    team at their next login.
    """

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        # allauth calls save_user only at the first login; returning users come through here,
        # after allauth has found their account and refreshed its claims.
        if sociallogin.is_existing:
            sync_teams(sociallogin.user, groups_from_claims(sociallogin.account.extra_data))

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        sync_teams(user, groups_from_claims(sociallogin.account.extra_data))
        return user


def groups_from_claims(extra_data: dict[str, Any]) -> list[str]:
    """The SSO group names in the userinfo or, failing that, the ID token.

    allauth stores {"userinfo": ..., "id_token": ...}; older versions stored the claims flat.
    Keycloak's "full group path" option gives "/parent/child": the leading slash is dropped.
    """
    claim = settings.OIDC_GROUPS_CLAIM
    raw: Any = []
    for claims in (extra_data.get("userinfo"), extra_data.get("id_token"), extra_data):
        if isinstance(claims, dict) and claims.get(claim):
            raw = claims[claim]
            break
    if isinstance(raw, str):
        raw = [raw]
    return sorted({str(group).strip("/") for group in raw if str(group).strip("/")})


def sync_teams(user: Any, groups: list[str]) -> None:
    from labs.services import team_memberships_sync

    team_memberships_sync(user=user, groups=groups)


class TrustedHeaderMiddleware:
    """Log in the user named by X-Forwarded-User when the request comes from the oauth-proxy.

    Only peers listed in STARGATE_TRUSTED_PROXY_IPS are believed; from anywhere else the headers
    are ignored, so a visitor cannot claim to be someone by sending them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        username = request.headers.get("X-Forwarded-User", "").strip()
        if username and settings.TRUSTED_PROXY_IPS and not request.user.is_authenticated:
            peer = request.META.get("REMOTE_ADDR", "")
            if peer in settings.TRUSTED_PROXY_IPS:
                self._login(request, username)
            else:
                logger.warning("Ignored X-Forwarded-User from untrusted peer %s", peer)
        return self.get_response(request)

    def _login(self, request: HttpRequest, username: str) -> None:
        user_model = get_user_model()
        email = request.headers.get("X-Forwarded-Email", "").strip()
        user, created = user_model.objects.get_or_create(
            username=username[:150], defaults={"email": email}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if user.is_active:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
