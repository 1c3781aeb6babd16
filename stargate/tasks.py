"""django-q2 entry points of the platform app."""

from __future__ import annotations

from django.conf import settings

from stargate.retention import prune_all


def prune_old_rows() -> str:
    """The daily retention prune (see `stargate.retention`). Leaves a fifth of the task timeout
    spare; whatever is left is pruned the next day."""
    budget = 0.8 * float(settings.Q_CLUSTER.get("timeout", 600))
    counts = prune_all(budget_seconds=budget)
    return ", ".join(f"{kind} {count}" for kind, count in counts.items())
