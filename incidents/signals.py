"""The seams for notifications (outbox, Slack, PagerDuty, webhooks, e-mail: `notifications`).

`incident_changing` is sent inside the transaction that changed an incident, once the incident
row holds the change, so a receiver's outbox row commits or rolls back with it;
`incident_changed` is sent after that commit. Both carry `incident_id` and `change` (opened,
updated, acknowledged, assigned, noted, resolved). Events a receiver should notify on their own
are the `Event` rows with `notify=True`: not filtered (routine, flapping, silenced, duplicate)
and not part of an open incident, whose own change is sent instead. `events_notifiable` is sent
inside the pipeline's transaction with their `event_ids`, once per pass that stored some."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

incident_changing = Signal()
incident_changed = Signal()
events_notifiable = Signal()


def incident_changed_on_commit(incident_id: int, change: str) -> None:
    def send() -> None:
        incident_changed.send(sender=None, incident_id=incident_id, change=change)

    incident_changing.send(sender=None, incident_id=incident_id, change=change)
    transaction.on_commit(send, robust=True)
