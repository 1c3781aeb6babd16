"""Live updates: group names and the one broadcast helper (dashboard issue).

Everything that changes what a dashboard shows calls `lab_instances_changed_on_commit`; nothing else
calls the channel layer directly.
"""

from __future__ import annotations

from collections.abc import Iterable

DASHBOARD = "dashboard"
APPROVALS = "approvals"


def lab_group(lab_instance_id: int) -> str:
    return f"lab-{lab_instance_id}"


def lab_instances_changed_on_commit(lab_instance_ids: Iterable[int]) -> None:
    """Tell open dashboards that these lab instances changed, once the transaction commits.

    Not wired yet: the dashboard issue implements the broadcast (and the embedded-mode relay).
    """
