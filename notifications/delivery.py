"""Outbox delivery by the workers: at least once, in order per channel and incident.

Each message is taken under its row lock (`select_for_update(skip_locked=True)`), so workers
running at once never send one row twice; a message waits while an earlier one of its group
(incident, approval request) on its channel is not delivered. Failures retry with exponential
backoff until `NOTIFICATIONS_MAX_ATTEMPTS` or `NOTIFICATIONS_MAX_AGE_SECONDS`, then the message
is a dead letter (a receiver's permanent 4xx at once). Quiet hours and rate limits make a
message wait, never drop it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from notifications import conf
from notifications.models import Channel, DeliveryAttempt, Notification
from notifications.transports import Result, send

logger = logging.getLogger(__name__)
State = Notification.State


def due(now: datetime) -> QuerySet[Notification]:
    earlier = Notification.objects.filter(
        channel_id=OuterRef("channel_id"), group=OuterRef("group"), pk__lt=OuterRef("pk")
    ).exclude(state=State.DELIVERED)
    return (
        Notification.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .exclude(Exists(earlier))
        .order_by("pk")
    )


def backoff(attempts: int) -> timedelta:
    seconds = conf.backoff_seconds() * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, conf.backoff_max_seconds()))


def _in_quiet_hours(channel: Channel, now: datetime) -> datetime | None:
    """The end of the quiet hours `now` is in, or None."""
    start, end = channel.quiet_start, channel.quiet_end
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now)
    t = local.time()
    quiet = start <= t < end if start < end else (t >= start or t < end)
    if not quiet:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return until if until > local else until + timedelta(days=1)


def _over_rate(channel: Channel, now: datetime) -> datetime | None:
    """When the next message may go, if the channel used its hourly limit."""
    limit = channel.rate_limit_per_hour
    if not limit:
        return None
    sent = list(
        Notification.objects.filter(channel=channel, delivered_at__gt=now - timedelta(hours=1))
        .order_by("-delivered_at")
        .values_list("delivered_at", flat=True)[:limit]
    )
    if len(sent) < limit or sent[-1] is None:
        return None
    return sent[-1] + timedelta(hours=1)


def hold_until(notification: Notification, now: datetime) -> datetime | None:
    channel = notification.channel
    quiet = None if notification.severity == "critical" else _in_quiet_hours(channel, now)
    return quiet or _over_rate(channel, now)


def _record(notification: Notification, result: Result, now: datetime) -> None:
    DeliveryAttempt.objects.create(
        notification=notification,
        at=now,
        status=result.status,
        latency_ms=result.latency_ms,
        error=result.error,
    )
    notification.attempts += 1
    notification.last_status, notification.last_error = result.status, result.error
    too_old = now - notification.queued_at >= timedelta(seconds=conf.max_age_seconds())
    if result.ok:
        notification.state, notification.delivered_at = State.DELIVERED, now
    elif result.permanent or too_old or notification.attempts >= conf.max_attempts():
        notification.state = State.DEAD
    else:
        notification.next_attempt_at = now + backoff(notification.attempts)
    notification.save()
    status = str(result.status) if result.ok else result.error or f"http_{result.status}"
    Channel.objects.filter(pk=notification.channel_id).update(
        last_delivery_at=now, last_status=status[:100]
    )
    logger.info(
        "notification %s (%s) to channel %s: %s",
        notification.pk,
        notification.change,
        notification.channel.name,
        notification.state if result.ok else f"{notification.state} after {status}",
    )


def deliver_next(now: datetime | None = None) -> Notification | None:
    """Send (or hold) the first due message no other worker holds; None when none is due."""
    now = now or timezone.now()
    with transaction.atomic():
        notification = (
            due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("channel")
            .first()
        )
        if notification is None:
            return None
        held = hold_until(notification, now)
        if held is not None:
            notification.next_attempt_at = held
            notification.save(update_fields=["next_attempt_at"])
            return notification
        _record(notification, send(notification), now)
        return notification


def deliver_due(now: datetime | None = None, limit: int | None = None) -> int:
    """Deliver what is due, at most `limit` tries (the batch setting); returns how many went."""
    delivered = 0
    for _ in range(limit or conf.batch()):
        notification = deliver_next(now)
        if notification is None:
            break
        delivered += notification.state == State.DELIVERED
    return delivered
