"""Live updates: group names and the one broadcast helper (dashboard issue).

Everything that changes what a dashboard shows calls `lab_instances_changed_on_commit` (lab
statuses) or `fleet_changed_on_commit` (a scan run ended: reachability, nodes, last scans); both
take the same path, and nothing else calls the channel layer directly.

Two delivery paths, chosen by the channel layer:
- Redis (production): the process that made the change renders the fragments after commit and
  sends them to the groups; every web process's sockets receive them.
- In-memory (embedded): a worker process cannot reach the web process's in-memory layer, so the
  change is recorded as a `LiveEvent` row after commit, and the web process relays new rows
  (`stargate.relay`), rendering the fragments there.
"""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

DASHBOARD = "dashboard"
APPROVALS = "approvals"
FRAGMENT_EVENT = "html.fragment"


def lab_group(lab_instance_id: int) -> str:
    return f"lab-{lab_instance_id}"


def uses_relay() -> bool:
    """True when broadcasts must go through the database (in-memory layer: one process only)."""
    return isinstance(get_channel_layer(), InMemoryChannelLayer)


def send_html(group: str, html: str) -> None:
    async_to_sync(get_channel_layer().group_send)(group, {"type": FRAGMENT_EVENT, "html": html})


def lab_instances_changed_on_commit(lab_instance_ids: Iterable[int]) -> None:
    """Tell open dashboards that these lab instances changed, once the transaction commits.

    Robust: a delivery that fails (Redis down) is logged and never undoes or stops the write."""
    ids = sorted(set(lab_instance_ids))
    if ids:
        transaction.on_commit(lambda: lab_instances_changed(ids), robust=True)


def fleet_changed_on_commit() -> None:
    """Tell open dashboards that the fleet summary changed, once the transaction commits."""
    transaction.on_commit(lambda: lab_instances_changed([]), robust=True)


def lab_instances_changed(lab_instance_ids: list[int]) -> None:
    """Deliver now; call only with committed state (from an on-commit callback). No ids: only
    the fleet summary changed."""
    from labs.models import LiveEvent

    if uses_relay():
        LiveEvent.objects.create(lab_instance_ids=lab_instance_ids)
        return
    broadcast_lab_instances(lab_instance_ids)


def broadcast_lab_instances(lab_instance_ids: list[int]) -> None:
    from dashboard.live import lab_instance_fragments

    for group, html in lab_instance_fragments(lab_instance_ids):
        send_html(group, html)
