"""The OpenShift oauth-proxy as an allauth provider, so its users are linked accounts.

A user the proxy names is a `SocialAccount(provider="oauth_proxy", uid=<the proxy's user name>)`
with an account of their own, like an SSO user: never a local account that shares the name.
"""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.providers.base import Provider, ProviderAccount

PROVIDER_ID = "oauth_proxy"


class OAuthProxyAccount(ProviderAccount):  # type: ignore[misc]  # allauth is untyped
    def to_str(self) -> str:
        return str(self.account.uid)


class OAuthProxyProvider(Provider):  # type: ignore[misc]  # allauth is untyped
    """No app, no login URL: the proxy logs users in with trusted headers (stargate.auth)."""

    id = PROVIDER_ID
    name = "OpenShift oauth-proxy"
    account_class = OAuthProxyAccount
    uses_apps = False

    def extract_uid(self, data: dict[str, Any]) -> str:
        return str(data["user"])


provider_classes = [OAuthProxyProvider]
