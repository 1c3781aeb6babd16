"""Remediation settings: read from Django settings when defined there, else from the environment.

The project-wide ones (EXECUTION_TARGET, DRY_RUN, REMEDIATION_ALLOWED_PREFIXES, SANDBOX_API_*)
live in stargate/settings.py; the remediation-only knobs below are listed in the README.
"""

from __future__ import annotations

from django.conf import settings

from stargate.lib.env import envint, envlist


def _int(name: str, default: int, minimum: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else envint(f"STARGATE_{name}", default, minimum=minimum)


def remediation_pass_minutes() -> int:
    """How often the remediation pass runs (`manage.py setup_remediation_schedules`)."""
    return _int("REMEDIATION_PASS_MINUTES", 5, 1)


def max_actions_per_cluster_hour() -> int:
    return _int("REMEDIATION_MAX_ACTIONS_PER_CLUSTER_HOUR", 20, 1)


def approval_ttl_minutes() -> int:
    return _int("REMEDIATION_APPROVAL_TTL_MINUTES", 60, 1)


def verify_window_seconds() -> int:
    return _int("REMEDIATION_VERIFY_WINDOW_SECONDS", 300, 0)


def verify_interval_seconds() -> int:
    return _int("REMEDIATION_VERIFY_INTERVAL_SECONDS", 10, 1)


def anarchy_namespace_prefixes() -> list[str]:
    """Where AnarchySubjects live (outside the lab namespace); system namespaces stay refused."""
    value = getattr(settings, "REMEDIATION_ANARCHY_PREFIXES", None)
    if value is not None:
        return list(value)
    return envlist("STARGATE_REMEDIATION_ANARCHY_PREFIXES", "babylon-anarchy-,anarchy-")


def poolboy_namespaces() -> list[str]:
    value = getattr(settings, "REMEDIATION_POOLBOY_NAMESPACES", None)
    if value is not None:
        return list(value)
    return envlist("STARGATE_REMEDIATION_POOLBOY_NAMESPACES", "poolboy")


def execution_timeout_minutes() -> int:
    """How long a request may stay approved or executing before it is failed as abandoned."""
    return _int("REMEDIATION_EXECUTION_TIMEOUT_MINUTES", 30, 1)
