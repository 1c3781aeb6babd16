"""django-q2 entry points."""

from __future__ import annotations

from notifications.delivery import deliver_due as deliver
from notifications.policy import policy_notifications_send


def deliver_due() -> int:
    """Deliver the due messages; returns how many were delivered."""
    return deliver()


def notify_policy() -> str:
    """Tell the routed channels about critical and high recommendations (23.5)."""
    return str(policy_notifications_send())
