"""Delivered messages and their attempts are pruned after their retention; pending messages and
dead letters stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Channel, DeliveryAttempt, Notification
from stargate import retention

from .factories import channel, incident

pytestmark = pytest.mark.django_db


def by_kind(kind: str) -> retention.Retention:
    return next(r for r in retention.RETENTIONS if r.kind == kind)


def test_delivered_messages_go_after_their_attempts_and_the_others_stay() -> None:
    channel("hook", Channel.Kind.WEBHOOK, "http://127.0.0.1:9/hooks/stargate")
    for n in range(3):
        incident(f"Node {n} on east")
    old = timezone.now() - timedelta(days=40)
    states = [Notification.State.DELIVERED, Notification.State.PENDING, Notification.State.DEAD]
    for row, state in zip(Notification.objects.order_by("pk"), states, strict=True):
        Notification.objects.filter(pk=row.pk).update(state=state, created_at=old)
        DeliveryAttempt.objects.create(notification=row, at=old, status=500)
    assert retention.prune(by_kind("notification_attempts")) == 3
    assert retention.prune(by_kind("notifications")) == 1
    assert set(Notification.objects.values_list("state", flat=True)) == {"pending", "dead"}
