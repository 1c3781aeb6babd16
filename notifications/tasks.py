"""django-q2 entry points."""

from __future__ import annotations

from notifications.delivery import deliver_due as deliver


def deliver_due() -> int:
    """Deliver the due messages; returns how many were delivered."""
    return deliver()
