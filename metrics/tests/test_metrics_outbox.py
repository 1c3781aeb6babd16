"""Notifications pending and dead-lettered, read from the outbox at scrape time."""

from __future__ import annotations

import pytest

from metrics.tests.scrape import TOKEN, scrape, value
from notifications.models import Notification
from notifications.tests.factories import channel

pytestmark = pytest.mark.django_db


def test_it_counts_pending_and_dead_lettered_notifications(client, settings) -> None:
    settings.METRICS_TOKEN = TOKEN
    slack = channel("ops", "slack", "https://hooks.slack.example/T0/B0/x")
    states = ["pending", "pending", "pending", "delivered", "dead", "dead"]
    for n, state in enumerate(states):
        Notification.objects.create(
            channel=slack,
            key=f"k{n}",
            group=f"incident-{n}",
            change="opened",
            title="t",
            state=state,
        )

    families = scrape(client)

    assert value(families, "stargate_notifications_pending") == 3
    assert value(families, "stargate_notifications_dead_lettered") == 2
