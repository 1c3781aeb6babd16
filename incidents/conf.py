"""Incident settings: Django settings when defined there, else `STARGATE_INCIDENTS_*` variables."""

from __future__ import annotations

from django.conf import settings

from stargate.lib.env import envbool, envint


def _int(name: str, default: int, minimum: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else envint(f"STARGATE_{name}", default, minimum=minimum)


def queue_after_commit() -> bool:
    """Queue the pipeline after each scan run and remediation outcome (off in the test
    settings, so other apps' tests do not run it; the periodic schedule runs it anyway)."""
    value = getattr(settings, "INCIDENTS_QUEUE_AFTER_COMMIT", None)
    if value is not None:
        return bool(value)
    return envbool("STARGATE_INCIDENTS_QUEUE_AFTER_COMMIT", True)


def dedup_window_seconds() -> int:
    return _int("INCIDENTS_DEDUP_WINDOW_SECONDS", 900, 0)


def flap_changes() -> int:
    """N: this many changes of one lab's rubric ..."""
    return _int("INCIDENTS_FLAP_CHANGES", 4, 2)


def flap_window_minutes() -> int:
    """... within M minutes fold into one `lab.flapping` event."""
    return _int("INCIDENTS_FLAP_WINDOW_MINUTES", 30, 1)


def group_window_minutes() -> int:
    """Failures first seen within this window group by threshold (same class on a cluster)."""
    return _int("INCIDENTS_GROUP_WINDOW_MINUTES", 30, 1)


def cluster_class_min_labs() -> int:
    """K: the same class on this many labs of one cluster is one incident ..."""
    return _int("INCIDENTS_CLUSTER_CLASS_MIN_LABS", 5, 2)


def cluster_class_min_percent() -> int:
    """... or on this share of the cluster's labs (and at least two)."""
    return _int("INCIDENTS_CLUSTER_CLASS_MIN_PERCENT", 20, 1)


def platform_min_clusters() -> int:
    return _int("INCIDENTS_PLATFORM_MIN_CLUSTERS", 3, 2)


def recycled_minutes() -> int:
    """A failing namespace with no evaluation for this long was recycled (22.1)."""
    return _int("INCIDENTS_RECYCLED_MINUTES", 30, 1)


def provisioning_min_failures() -> int:
    """Provisioning and smoke-test failures of one catalog item on one cluster within the group
    window that open an incident."""
    return _int("INCIDENTS_PROVISIONING_MIN_FAILURES", 3, 2)
