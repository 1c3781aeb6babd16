"""Notification settings: Django settings when defined there, else `STARGATE_NOTIFICATIONS_*`
variables (the public URL: `STARGATE_PUBLIC_URL`)."""

from __future__ import annotations

import ipaddress

from django.conf import settings

from stargate.lib.env import envbool, envint, envlist, envstr

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _int(name: str, default: int, minimum: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else envint(f"STARGATE_{name}", default, minimum=minimum)


def max_age_seconds() -> int:
    """A message not delivered this long after it was written is dead-lettered (24 h)."""
    return _int("NOTIFICATIONS_MAX_AGE_SECONDS", 86400, 60)


def max_attempts() -> int:
    """... as is one that failed this many attempts."""
    return _int("NOTIFICATIONS_MAX_ATTEMPTS", 40, 1)


def backoff_seconds() -> int:
    """The wait after the first failed attempt; it doubles after each further one ..."""
    return _int("NOTIFICATIONS_BACKOFF_SECONDS", 10, 0)


def backoff_max_seconds() -> int:
    """... up to this."""
    return _int("NOTIFICATIONS_BACKOFF_MAX_SECONDS", 1800, 1)


def timeout_seconds() -> int:
    return _int("NOTIFICATIONS_TIMEOUT_SECONDS", 10, 1)


def batch() -> int:
    """Messages one delivery task sends at most (the schedule runs it again every minute)."""
    return _int("NOTIFICATIONS_BATCH", 200, 1)


def deliver_after_commit() -> bool:
    """Queue a delivery task after the commit that wrote messages (the schedule also runs)."""
    value = getattr(settings, "NOTIFICATIONS_DELIVER_AFTER_COMMIT", None)
    if value is not None:
        return bool(value)
    return envbool("STARGATE_NOTIFICATIONS_DELIVER_AFTER_COMMIT", True)


def allowed_networks() -> list[Network]:
    """Networks a webhook may resolve into although they are not global (empty by default;
    the tests and the demo list 127.0.0.1/32 for their loopback receivers)."""
    value = getattr(settings, "NOTIFICATIONS_ALLOWED_NETWORKS", None)
    items = value if value is not None else envlist("STARGATE_NOTIFICATIONS_ALLOWED_NETWORKS", "")
    return [ipaddress.ip_network(str(item).strip(), strict=False) for item in items if item]


def public_url() -> str:
    """StarGate's address as people reach it, for links in messages ("" gives paths)."""
    value = getattr(settings, "PUBLIC_URL", None)
    return str(value if value is not None else envstr("STARGATE_PUBLIC_URL", "")).rstrip("/")


def ca_bundle() -> str:
    """A CA bundle (PEM file) to verify receivers' certificates with ("": the system's).
    Verification is always on."""
    value = getattr(settings, "NOTIFICATIONS_CA_BUNDLE", None)
    return str(value if value is not None else envstr("STARGATE_NOTIFICATIONS_CA_BUNDLE", ""))
