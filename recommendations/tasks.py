"""django-q2 entry points."""

from __future__ import annotations

from recommendations import services


def refresh_recommendations() -> str:
    """Evaluate the policy rules (with the cleanup detectors on every cluster) and store the
    findings. Returns a one-line summary, shown in the admin's task list."""
    return str(services.recommendations_refresh())
