"""Who may log in, and how: local accounts, OpenID Connect (Red Hat SSO), oauth-proxy headers."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model, login, logout
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from stargate.oauth_proxy.provider import PROVIDER_ID
from stargate.signals import sso_groups_received

logger = logging.getLogger(__name__)


class NoSignupAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """Local accounts are created by an administrator, never by visitors, and may be turned off."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        # STARGATE_LOCAL_LOGIN=false hides the form; this refuses a password posted anyway.
        if not settings.LOCAL_LOGIN:
            raise ValidationError("Local accounts are disabled: log in with SSO.")
        return super().authenticate(request, **credentials)


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The Django admin's login, checked by allauth's adapter like /accounts/login/.

    Both forms share one throttle (allauth's `login_failed` counters, per address and per
    username), so attempts cannot be split between them, and STARGATE_LOCAL_LOGIN=false refuses
    passwords here too.
    """

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            adapter = get_account_adapter(self.request)
            self.user_cache = adapter.authenticate(
                self.request, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class TeamMappingSocialAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    """SSO users are created on first login; their groups claim decides their teams.

    The teams follow the claim at every login, so a user removed from a group in the SSO loses the
    team at their next login.
    """

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def list_providers(self, request: HttpRequest) -> list[Any]:
        """The providers a user can log in with from a page. The oauth-proxy has no login URL (it
        logs users in with trusted headers): allauth's provider lists must not offer it (the
        third-party accounts page answered 500)."""
        return [p for p in super().list_providers(request) if p.id != PROVIDER_ID]

    def validate_disconnect(self, account: SocialAccount, accounts: Any) -> None:
        """A proxy user's link is how the proxy finds their account: it stays."""
        if account.provider == PROVIDER_ID:
            raise ValidationError(
                "The OpenShift oauth-proxy link cannot be removed: it is how the proxy finds "
                "this account."
            )
        super().validate_disconnect(account, accounts)

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
    sso_groups_received.send(sender=sync_teams, user=user, groups=groups)


class TrustedHeaderMiddleware:
    """Log in the user named by X-Forwarded-User when the request comes from the oauth-proxy.

    The name is the proxy's own user id: it is linked to an account of its own (an allauth
    SocialAccount of the `oauth_proxy` provider), never to a local account with that username.

    Only peers in STARGATE_TRUSTED_PROXY_IPS (addresses or networks) are believed; from anywhere
    else the headers are ignored, so a visitor cannot claim to be someone by sending them. The
    proxy's word wins over the session: when it names another user, that user is logged in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        username = request.headers.get("X-Forwarded-User", "").strip()[:150]
        if username and settings.TRUSTED_PROXY_IPS:
            peer = request.META.get("REMOTE_ADDR", "")
            if not is_trusted_proxy(peer, tuple(settings.TRUSTED_PROXY_IPS)):
                logger.warning("Ignored X-Forwarded-User from untrusted peer %s", peer)
            elif "," in username:
                # Two X-Forwarded-User headers arrive joined by a comma: one came from the client.
                logger.warning("Ignored an ambiguous X-Forwarded-User from %s", peer)
            elif request.session.get(PROXY_SESSION_KEY) != username or not (
                request.user.is_authenticated
            ):
                _login_forwarded_user(request, username)
        return self.get_response(request)


PROXY_SESSION_KEY = "stargate_oauth_proxy_uid"


def _login_forwarded_user(request: HttpRequest, uid: str) -> None:
    email = request.headers.get("X-Forwarded-Email", "").strip()
    user = proxy_user_get_or_create(uid=uid, email=email)
    if user.is_active:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[PROXY_SESSION_KEY] = uid
    else:
        # The browser is no longer whoever its session says: end that session too.
        logout(request)
        logger.warning("Refused the oauth-proxy login of disabled user %s", uid)


@transaction.atomic
def proxy_user_get_or_create(*, uid: str, email: str) -> Any:
    """The account linked to the proxy's user `uid`, created on first sight.

    Never matched to an existing account by name: the proxy's `admin` is not the local superuser.
    The new account takes the proxy's name when it is free, else a unique variant of it.
    """
    account = (
        SocialAccount.objects.select_related("user").filter(provider=PROVIDER_ID, uid=uid).first()
    )
    if account is not None:
        return account.user
    username = get_account_adapter().generate_unique_username([uid, "proxy-user"])
    user = get_user_model().objects.create_user(username=username, email=email)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    SocialAccount.objects.create(user=user, provider=PROVIDER_ID, uid=uid, extra_data={})
    return user


class PasswordResetGateMiddleware:
    """Password reset sends mail: without mail configured (STARGATE_EMAIL_HOST), or without local
    accounts, its pages do not exist (404) rather than fail (500) when the mail cannot go."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(reverse("account_reset_password")) and not (
            password_reset_enabled()
        ):
            raise Http404("Password reset is not available: mail is not configured")
        return self.get_response(request)


def password_reset_enabled() -> bool:
    return bool(settings.MAIL_CONFIGURED and settings.LOCAL_LOGIN)


@functools.lru_cache(maxsize=64)
def _networks(entries: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    # The settings refuse entries that are not addresses or networks.
    return tuple(ip_network(entry, strict=False) for entry in entries)


def is_trusted_proxy(peer: str, entries: tuple[str, ...]) -> bool:
    """True when `peer` is one of `entries`, each an address or a network such as 10.0.0.0/8."""
    try:
        address = ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in _networks(entries))
