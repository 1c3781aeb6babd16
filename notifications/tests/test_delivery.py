"""Delivery under receiver faults, against the loopback Slack, PagerDuty and webhook
receivers: retries with backoff, order per incident, one arrival per key, dead letters and
retry, permanent refusals, quiet hours, rate limits, e-mail, the SSRF re-check."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any as SettingsWrapper

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from incidents.models import Incident
from notifications.delivery import deliver_due
from notifications.models import Channel, DeliveryAttempt, Notification
from notifications.selectors import deliveries_for
from notifications.services import notification_retry
from simulator.receivers import Receiver
from simulator.tls import server_context, write_certificates

from .conftest import WEBHOOK_SECRET
from .factories import ROUTING_KEY, change, channel, incident

pytestmark = pytest.mark.django_db
State = Notification.State


def three_channels(receiver: Receiver) -> None:
    channel("slack", Channel.Kind.SLACK, receiver.slack_url)
    channel("pagerduty", Channel.Kind.PAGERDUTY, receiver.pagerduty_url, secret=ROUTING_KEY)
    channel("hook", Channel.Kind.WEBHOOK, receiver.webhook_url, secret=WEBHOOK_SECRET)


def incident_story(title: str) -> Incident:
    row = incident(title)
    change(row, "acknowledged", status=Incident.Status.ACKNOWLEDGED)
    change(row, "resolved", status=Incident.Status.RESOLVED, resolution_cause="self_resolved")
    return row


def later(now: datetime, hours: float = 1) -> datetime:
    return now + timedelta(hours=hours)


def test_a_receiver_that_fails_then_is_down_gets_every_message_once_in_order(
    receiver: Receiver,
) -> None:
    three_channels(receiver)
    receiver.fail(500)
    stories = [incident_story("Node a on east"), incident_story("Node b on east")]
    now = timezone.now()
    assert deliver_due(now) == 0
    # Only the first message of each incident is tried per channel: the others wait behind it.
    assert DeliveryAttempt.objects.count() == 2 * 3
    assert set(DeliveryAttempt.objects.values_list("status", flat=True)) == {500}
    for _ in range(3):
        now = later(now)
        assert deliver_due(now) == 0
    receiver.down()
    for _ in range(3):
        now = later(now)
        assert deliver_due(now) == 0
    errors = set(DeliveryAttempt.objects.exclude(status=500).values_list("error", flat=True))
    assert errors and all(e.startswith("connection:") for e in errors), errors
    assert not Notification.objects.exclude(state=State.PENDING).exists()
    receiver.up()
    receiver.heal()
    assert deliver_due(later(now)) == 18
    assert set(Notification.objects.values_list("state", flat=True)) == {State.DELIVERED}
    arrived = receiver.received()
    keys = [r.key for r in arrived]
    assert len(keys) == len(set(keys)) == 18  # none twice by its key
    assert set(keys) == set(Notification.objects.values_list("key", flat=True))
    order: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in Notification.objects.order_by("pk").select_related("channel"):
        order[(row.channel.kind, row.group)].append(row.key)
    for (kind, group), expected in order.items():
        assert [r.key for r in arrived if r.kind == kind and r.key in expected] == expected, group
    actions = [r.body["event_action"] for r in receiver.received("pagerduty")]
    assert actions.count("trigger") == actions.count("resolve") == 2
    assert receiver.refused() == []  # every payload valid as Slack and PagerDuty define it
    assert {s.pk for s in stories} == set(Notification.objects.values_list("incident", flat=True))


def test_a_dead_letter_after_n_attempts_holds_its_incident_until_retried(
    receiver: Receiver, settings: SettingsWrapper
) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    channel("hook", Channel.Kind.WEBHOOK, receiver.webhook_url, secret=WEBHOOK_SECRET)
    receiver.fail(503)
    incident_story("Node a on east")
    now = timezone.now()
    for _ in range(4):
        deliver_due(now)
        now = later(now)
    first, *rest = Notification.objects.order_by("pk")
    assert (first.state, first.attempts, first.last_error) == (State.DEAD, 3, "http_503")
    assert [r.state for r in rest] == [State.PENDING, State.PENDING]  # in order: they wait
    assert [r.attempts for r in rest] == [0, 0]
    operator = User.objects.create_superuser("olivia", "o@example.com", "pw")
    waiting = deliveries_for(operator, State.PENDING).values_list("pk", "waits_for")
    assert dict(waiting) == {rest[0].pk: first.pk, rest[1].pk: first.pk}
    receiver.heal()
    assert notification_retry(notification=first) == 1
    assert deliver_due(later(now)) == 3
    assert [r.key for r in receiver.received()] == list(
        Notification.objects.order_by("pk").values_list("key", flat=True)
    )


def test_a_message_older_than_the_maximum_age_is_dead_after_its_next_failure(
    receiver: Receiver, settings: SettingsWrapper
) -> None:
    settings.NOTIFICATIONS_MAX_AGE_SECONDS = 3600
    channel("slack", Channel.Kind.SLACK, receiver.slack_url)
    receiver.down()
    incident()
    now = timezone.now()
    deliver_due(now)
    assert Notification.objects.get().state == State.PENDING
    deliver_due(later(now, 2))
    assert Notification.objects.get().state == State.DEAD


def test_a_permanent_refusal_is_dead_at_once(receiver: Receiver) -> None:
    channel("pagerduty", Channel.Kind.PAGERDUTY, receiver.pagerduty_url, secret="short")
    channel("hook", Channel.Kind.WEBHOOK, receiver.webhook_url, secret="not-the-secret")
    incident()
    deliver_due(timezone.now())
    states = dict(Notification.objects.values_list("channel__name", "last_error"))
    assert states == {"pagerduty": "http_400", "hook": "http_401"}
    assert set(Notification.objects.values_list("state", flat=True)) == {State.DEAD}
    reasons = dict(receiver.refused())
    assert "32 character" in reasons["pagerduty"] and reasons["webhook"] == "bad signature"


def test_webhooks_are_signed_and_carry_the_idempotency_key(receiver: Receiver) -> None:
    channel("hook", Channel.Kind.WEBHOOK, receiver.webhook_url, secret=WEBHOOK_SECRET)
    incident()
    deliver_due(timezone.now())
    (got,) = receiver.received("webhook")
    row = Notification.objects.get()
    assert got.key == got.headers["idempotency-key"] == got.body["idempotency_key"] == row.key
    assert got.headers["x-stargate-signature"].startswith("sha256=")
    assert got.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert got.body["type"] == "opened" and got.body["url"] == row.incident.get_absolute_url()


def test_quiet_hours_hold_all_but_critical_messages(receiver: Receiver) -> None:
    now = timezone.localtime()
    start, end = (now - timedelta(hours=1)).time(), (now + timedelta(hours=1)).time()
    channel("slack", Channel.Kind.SLACK, receiver.slack_url, quiet_start=start, quiet_end=end)
    incident("Node a on east", severity="high")
    incident("Node b on east", severity="critical")
    now = timezone.localtime()
    deliver_due(now)
    rows = dict(Notification.objects.values_list("severity", "state"))
    assert rows == {"high": State.PENDING, "critical": State.DELIVERED}
    held = Notification.objects.get(severity="high")
    assert held.attempts == 0 and held.next_attempt_at > now
    assert deliver_due(later(now, 1.1)) == 1


def test_a_rate_limit_makes_later_messages_wait(receiver: Receiver) -> None:
    channel("slack", Channel.Kind.SLACK, receiver.slack_url, rate_limit_per_hour=1)
    incident("Node a on east")
    incident("Node b on east")
    now = timezone.now()
    assert deliver_due(now) == 1
    assert deliver_due(later(now, 0.5)) == 0
    assert deliver_due(later(now, 1.01)) == 1


def test_e_mail_goes_through_the_mail_backend(settings: SettingsWrapper) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    channel("mail", Channel.Kind.EMAIL, recipients="ops@example.com\noncall@example.com")
    incident()
    assert deliver_due(timezone.now()) == 1
    (sent,) = mail.outbox
    assert sent.to == ["ops@example.com", "oncall@example.com"]
    assert sent.extra_headers["X-StarGate-Delivery"] == Notification.objects.get().key
    assert "opened" in sent.subject


def test_the_address_is_checked_again_at_delivery(
    receiver: Receiver, settings: SettingsWrapper
) -> None:
    channel("hook", Channel.Kind.WEBHOOK, receiver.webhook_url, secret=WEBHOOK_SECRET)
    Channel.objects.get().full_clean()  # allowed when registered
    incident()
    settings.NOTIFICATIONS_ALLOWED_NETWORKS = []
    deliver_due(timezone.now())
    row = Notification.objects.get()
    assert row.state == State.PENDING and row.last_error.startswith("refused: 127.0.0.1")
    assert receiver.state.requests == 0  # no connection made


def test_https_receivers_are_verified_against_the_configured_ca(
    tmp_path: Path, settings: SettingsWrapper
) -> None:
    ca, cert, key = write_certificates(tmp_path / "tls")
    with Receiver(webhook_secret=WEBHOOK_SECRET, tls=server_context(cert, key)) as https:
        assert https.webhook_url.startswith("https://127.0.0.1:")
        channel("hook", Channel.Kind.WEBHOOK, https.webhook_url, secret=WEBHOOK_SECRET)
        incident()
        now = timezone.now()
        deliver_due(now)  # the system's CAs do not know the simulator's
        row = Notification.objects.get()
        assert row.state == State.PENDING and "CERTIFICATE_VERIFY_FAILED" in row.last_error
        settings.NOTIFICATIONS_CA_BUNDLE = str(ca)
        assert deliver_due(later(now)) == 1
        (got,) = https.received()
        assert got.headers["host"] == f"127.0.0.1:{https.port}"
