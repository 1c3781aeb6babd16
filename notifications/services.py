"""Writes by people: a dead letter sent again."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from notifications import conf
from notifications.models import Notification
from notifications.outbox import queue_delivery


@transaction.atomic
def notification_retry(*, notification: Notification) -> int:
    """Queue a dead letter again, with a fresh count of attempts and age, together with the
    dead letters after it in its group on its channel (they keep their order). Returns how
    many were queued."""
    now = timezone.now()
    count = Notification.objects.filter(
        channel_id=notification.channel_id,
        group=notification.group,
        pk__gte=notification.pk,
        state=Notification.State.DEAD,
    ).update(
        state=Notification.State.PENDING,
        attempts=0,
        queued_at=now,
        next_attempt_at=now,
        last_error="",
    )
    if count and conf.deliver_after_commit():
        transaction.on_commit(queue_delivery, robust=True)
    return count
