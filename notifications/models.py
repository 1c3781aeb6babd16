"""Channels, the routes that choose them, and the outbox of messages with their attempts."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from incidents.models import Incident
from labs.models import Cluster, Lab, Team
from recommendations.models import Recommendation
from remediation.models import ActionRequest

PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


class Channel(models.Model):
    """Where messages go. The URL and the secret are credentials: pages and logs show the
    channel's name and the URL's host only."""

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack incoming webhook"
        PAGERDUTY = "pagerduty", "PagerDuty Events API v2"
        WEBHOOK = "webhook", "Generic webhook (HMAC-signed)"
        EMAIL = "email", "E-mail"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The team that owns the channel and sees its deliveries (none: operators).",
    )
    url = models.CharField(
        "URL",
        max_length=500,
        blank=True,
        help_text="Slack or webhook URL; PagerDuty: the Events API v2 URL (empty: PagerDuty's).",
    )
    secret = models.CharField(
        max_length=200,
        blank=True,
        help_text="Webhook: the HMAC-SHA256 key. PagerDuty: the integration's routing key.",
    )
    recipients = models.TextField(blank=True, help_text="E-mail: one address a line.")
    enabled = models.BooleanField(default=True)
    rate_limit_per_hour = models.PositiveIntegerField(
        default=0, help_text="At most this many messages an hour; later ones wait (0: no limit)."
    )
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(
        null=True,
        blank=True,
        help_text="Between the quiet hours (server time zone) only critical messages are sent; "
        "the others wait for the end.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_delivery_at = models.DateTimeField(null=True, blank=True)
    last_status = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def target(self) -> str:
        """Where it sends, without credentials: the URL's scheme and host, or the addresses."""
        if self.kind == self.Kind.EMAIL:
            return ", ".join(self.recipient_list())
        parts = urlsplit(self.endpoint())
        return f"{parts.scheme}://{parts.hostname or '?'}/…" if parts.scheme else "?"

    def endpoint(self) -> str:
        if self.kind == self.Kind.PAGERDUTY and not self.url:
            return PAGERDUTY_EVENTS_URL
        return self.url

    def recipient_list(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]

    def clean(self) -> None:
        from notifications.guard import UrlRefused, url_check

        if self.kind == self.Kind.EMAIL:
            if not self.recipient_list():
                raise ValidationError({"recipients": "An e-mail channel needs an address."})
            return
        if self.kind == self.Kind.PAGERDUTY and not self.secret:
            raise ValidationError({"secret": "PagerDuty needs the integration's routing key."})
        if self.kind != self.Kind.PAGERDUTY and not self.url:
            raise ValidationError({"url": "This channel needs a URL."})
        try:
            url_check(self.endpoint())
        except UrlRefused as refused:
            raise ValidationError({"url": f"Refused: {refused}"}) from refused


class Route(models.Model):
    """Sends a channel the messages that match every given field."""

    class Topic(models.TextChoices):
        ALL = "all", "Everything"
        INCIDENTS = "incidents", "Incidents"
        EVENTS = "events", "Lab and cluster events outside incidents"
        APPROVALS = "approvals", "Approval requests"
        RECOMMENDATIONS = "recommendations", "Critical and high recommendations"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="routes")
    topic = models.CharField(max_length=20, choices=Topic.choices, default=Topic.ALL)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE)
    min_severity = models.CharField(
        max_length=10,
        choices=Incident.Severity.choices,
        default=Incident.Severity.LOW,
        help_text="Incidents and events at least this severe (approval requests always match).",
    )
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.CASCADE)
    lab = models.ForeignKey(
        Lab, null=True, blank=True, on_delete=models.CASCADE, verbose_name="catalog item"
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["channel__name", "pk"]

    def __str__(self) -> str:
        return f"{self.channel}: {self.scope}"

    @property
    def scope(self) -> str:
        parts = [
            self.get_topic_display(),
            f"team {self.team}" if self.team_id else "",
            f"≥ {self.min_severity}" if self.min_severity != "low" else "",
            f"cluster {self.cluster}" if self.cluster_id else "",
            f"catalog item {self.lab}" if self.lab_id else "",
        ]
        return ", ".join(p for p in parts if p)


class Notification(models.Model):
    """One message to one channel: the outbox row, written in the transaction of the change
    that causes it. `key` is its idempotency key, sent with every attempt. Messages of one
    `group` (an incident, an approval request) reach a channel in the order written."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead letter"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=64, unique=True)
    group = models.CharField(max_length=60)  # incident-<n>, approval-<n>, lab-<n>, cluster-<n>
    change = models.CharField(max_length=30)  # opened, ..., approval_requested, <event type>
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_request = models.ForeignKey(
        ActionRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The pipeline event told (its `evt-` id: no foreign key, so that events are pruned freely).
    event_ref = models.CharField(max_length=16, blank=True)
    severity = models.CharField(max_length=10, blank=True)
    title = models.CharField(max_length=300)
    body = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The maximum age counts from here: the write, or the last "retry" of a dead letter.
    queued_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["channel", "group", "id"], name="notification_order"),
        ]

    def __str__(self) -> str:
        return f"{self.change} to {self.channel_id}: {self.title[:40]}"


class DeliveryAttempt(models.Model):
    """One try to send a message (platform-contracts 21.4)."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField()
    status = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"attempt on {self.notification_id}: {self.status or self.error[:30]}"


class PolicyNotice(models.Model):
    """The dedup record of policy notifications (platform-contracts 23.5): one row per
    `<type>:<lab_code | cluster | pool_name>` key, naming the recommendation last told. A key is
    told again when its recommendation disappeared and came back (a new open row), or after
    `STARGATE_POLICY_NOTIFY_REPEAT_HOURS`."""

    key = models.CharField(max_length=300, unique=True)
    recommendation = models.ForeignKey(
        Recommendation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    urgency = models.CharField(max_length=10)
    sent_at = models.DateTimeField()
    times = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.key} told {self.times}x"
