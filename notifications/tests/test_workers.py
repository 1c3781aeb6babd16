"""Several workers at once never deliver one message twice, and keep each incident's order
(row locks with SKIP LOCKED: PostgreSQL; SQLite's embedded mode runs one worker)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from incidents.models import Incident
from notifications.delivery import deliver_due
from notifications.models import Channel, DeliveryAttempt, Notification
from simulator.receivers import Receiver

from .conftest import WEBHOOK_SECRET
from .factories import change, channel, incident

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_four_workers_deliver_each_message_once_in_order(receiver: Receiver) -> None:
    channel("hook", Channel.Kind.WEBHOOK, receiver.webhook_url, secret=WEBHOOK_SECRET)
    channel("slack", Channel.Kind.SLACK, receiver.slack_url)
    for n in range(4):
        row = incident(f"Node {n} on east")
        change(row, "acknowledged", status=Incident.Status.ACKNOWLEDGED)
        change(row, "resolved", status=Incident.Status.RESOLVED, resolution_cause="self_resolved")
    receiver.slow(0.05)
    now = timezone.now()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            deliver_due(now)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    deliver_due(now)  # what a worker left for a later run (it waited behind another's row)
    keys = [r.key for r in receiver.received()]
    assert len(keys) == len(set(keys)) == Notification.objects.count() == 24
    assert DeliveryAttempt.objects.count() == 24  # no second attempt of any message
    for group in {n.group for n in Notification.objects.all()}:
        for kind in ("webhook", "slack"):
            expected = list(
                Notification.objects.filter(group=group, channel__kind=kind)
                .order_by("pk")
                .values_list("key", flat=True)
            )
            assert [k for k in keys if k in expected] == expected
