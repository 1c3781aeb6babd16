"""allauth loads `<app>.provider` of every installed app: this registers the oauth-proxy."""

from __future__ import annotations

from stargate.oauth_proxy.provider import provider_classes

__all__ = ["provider_classes"]
