"""The seam for notifications (a later channel: outbox, Slack, PagerDuty, webhooks).

`incident_changed` is sent after the commit that changed an incident, with `incident_id` and
`change` (opened, updated, acknowledged, assigned, noted, resolved). Events a receiver should
notify on their own are the `Event` rows with `notify=True`: not filtered (routine, flapping,
silenced, duplicate) and not part of an open incident, whose own change is sent instead."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

incident_changed = Signal()


def incident_changed_on_commit(incident_id: int, change: str) -> None:
    def send() -> None:
        incident_changed.send(sender=None, incident_id=incident_id, change=change)

    transaction.on_commit(send, robust=True)
