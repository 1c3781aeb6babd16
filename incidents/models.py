"""Events, the incidents that group them by root cause, silences and resolution records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from labs.models import Cluster, Lab, LabInstance, Team
from remediation.models import ActionRequest


class Event(models.Model):
    """One thing that happened (a verdict change, a cluster going unreachable, a scan fault, a
    remediation outcome), kept with what the pipeline decided about it (platform-contracts 20.1).
    Every event is stored, filtered ones included."""

    class Type(models.TextChoices):
        PASSED = "evaluation.passed"
        WARNED = "evaluation.warned"
        FAILED = "evaluation.failed"
        RESOLVED = "issue.resolved"
        FLAPPING = "lab.flapping"
        CLUSTER_DEGRADED = "cluster.degraded"
        CLUSTER_HEALTHY = "cluster.healthy"
        SCAN_FAULT = "scan.fault"
        REMEDIATION_EXECUTED = "remediation.executed"
        REMEDIATION_FAILED = "remediation.failed"
        # From the collectors, the recommendations and the LLM (README "Incidents": sources).
        COLLECTOR_DEGRADED = "collector.degraded"
        COLLECTOR_HEALTHY = "collector.healthy"
        PROVISION_FAILED = "provision.failed"
        SMOKE_TEST_FAILED = "smoke_test.failed"
        TEARDOWN_STUCK = "teardown.stuck"
        RECOMMENDATION_RAISED = "recommendation.raised"
        RECOMMENDATION_RESOLVED = "recommendation.resolved"
        CLASSIFIED = "failure.classified"
        INVESTIGATION_COMPLETED = "investigation.completed"

    event_id = models.CharField(max_length=16, unique=True)  # "evt-" + 12 hex
    source = models.CharField(max_length=60, unique=True)  # what it came from, once
    event_type = models.CharField(max_length=30, choices=Type.choices)
    at = models.DateTimeField(db_index=True)
    lab_instance = models.ForeignKey(
        LabInstance, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The catalog item, for events that name one but no lab instance (a provisioning failure).
    lab = models.ForeignKey(
        Lab,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="catalog item",
    )
    rubric_id = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    failure_class = models.CharField(max_length=100, blank=True)
    message = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=200, blank=True, db_index=True)
    priority = models.FloatField(default=0.0)
    metadata = models.JSONField(default=dict, blank=True)
    filtered = models.BooleanField(default=False)
    filter_reason = models.CharField(max_length=200, blank=True)
    deduplicated = models.BooleanField(default=False)
    flapping = models.BooleanField(default=False)
    correlated = models.BooleanField(default=False)
    systemic = models.BooleanField(default=False)
    silenced_by = models.ForeignKey(
        "Silence", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    incident = models.ForeignKey(
        "Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # Notifications (a later channel) send only these: not filtered, not part of an incident.
    notify = models.BooleanField(default=False)
    processed = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["fingerprint", "-at"], name="event_fingerprint")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.event_type}"


class Silence(models.Model):
    """While active, matching events are filtered (stored, never notified). Every given field
    must match; at least one is given."""

    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.CASCADE)
    lab = models.ForeignKey(
        Lab, null=True, blank=True, on_delete=models.CASCADE, verbose_name="catalog item"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE)
    failure_class = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=300)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-expires_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("starts_at")),
                name="silence_expires_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"silence {self.pk}: {self.scope}"

    @property
    def scope(self) -> str:
        parts = [
            f"cluster {self.cluster}" if self.cluster_id else "",
            f"catalog item {self.lab}" if self.lab_id else "",
            f"team {self.team}" if self.team_id else "",
            f"class {self.failure_class}" if self.failure_class else "",
        ]
        return ", ".join(p for p in parts if p) or "everything"


class Cause(models.TextChoices):
    """Why a failure cleared (platform-contracts 22.2), first match wins."""

    NAMESPACE_RECYCLED = "namespace_recycled", "Namespace recycled"
    STARGATE_REMEDIATED = "stargate_remediated", "Remediated by StarGate"
    HUMAN_REMEDIATED = "human_remediated", "Changed by a person"
    SELF_RESOLVED = "self_resolved", "Cleared by itself"


class Incident(models.Model):
    """Failures sharing one root cause; members are the lab instances it covers."""

    class Kind(models.TextChoices):
        CLUSTER_UNREACHABLE = "cluster_unreachable", "Cluster unreachable"
        NODE = "node", "Same node"
        STORAGE_CLASS = "storage_class", "Same storage class"
        PLATFORM = "platform", "Platform (3+ clusters)"
        CATALOG_ITEM = "catalog_item", "Same catalog item on several clusters"
        CLUSTER_CLASS = "cluster_class", "Same class on many labs of a cluster"
        PROVISIONING = "provisioning", "Catalog item failing to provision on a cluster"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        RESOLVED = "resolved", "Resolved"

    class Severity(models.TextChoices):
        CRITICAL = "critical", "Critical"
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    OPEN_STATES = (Status.OPEN, Status.ACKNOWLEDGED)

    kind = models.CharField(max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=300, db_index=True)  # the grouping key (see correlate)
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    cluster = models.ForeignKey(
        Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lab = models.ForeignKey(Lab, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    failure_class = models.CharField(max_length=100, blank=True)
    systemic = models.BooleanField(default=False)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.LOW)
    severity_score = models.FloatField(default=0.0)
    severity_factors = models.JSONField(default=dict, blank=True)
    proposed_action = models.CharField(max_length=100, blank=True)
    # The request the incident made for its proposed action (through remediation's gates).
    action_request = models.ForeignKey(
        ActionRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_cause = models.CharField(max_length=30, choices=Cause.choices, blank=True)
    ttr_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="incident_one_open_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"incident {self.pk}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:incident_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATES


class IncidentMember(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="members")
    lab_instance = models.ForeignKey(LabInstance, on_delete=models.CASCADE, related_name="+")
    failure_class = models.CharField(max_length=100, blank=True)
    joined_at = models.DateTimeField()
    recovered_at = models.DateTimeField(null=True, blank=True)
    cause = models.CharField(max_length=30, choices=Cause.choices, blank=True)

    class Meta:
        ordering = ["lab_instance__cluster__name", "lab_instance__namespace"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "lab_instance"], name="incidentmember_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.lab_instance_id} in incident {self.incident_id}"


class TimelineEntry(models.Model):
    """What happened to an incident: opened, members, severity, acknowledged, notes, resolved."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField()
    kind = models.CharField(max_length=20)  # opened, joined, recovered, severity, ack, ...
    text = models.TextField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.at:%H:%M} {self.kind}: {self.text[:40]}"


class FailureRecord(models.Model):
    """One failure of one rubric on one lab, from detection to resolution (22.1)."""

    lab_instance = models.ForeignKey(
        LabInstance, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cluster = models.ForeignKey(Cluster, null=True, on_delete=models.SET_NULL, related_name="+")
    lab = models.ForeignKey(Lab, null=True, on_delete=models.SET_NULL, related_name="+")
    rubric_id = models.CharField(max_length=100)
    failure_class = models.CharField(max_length=100)
    outcome = models.CharField(max_length=20)  # failed or warn
    detected_at = models.DateTimeField(db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cause = models.CharField(max_length=30, choices=Cause.choices, blank=True)
    ttr_seconds = models.FloatField(null=True, blank=True)
    remediation_id = models.PositiveBigIntegerField(null=True, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="failures"
    )

    class Meta:
        ordering = ["-detected_at", "-pk"]
        indexes = [models.Index(fields=["lab_instance", "rubric_id", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.failure_class} on {self.lab_instance_id} since {self.detected_at}"


class Cursor(models.Model):
    """How far the pipeline has read each source (ids), and each cluster's last reachability."""

    name = models.CharField(max_length=60, unique=True)
    last_id = models.PositiveBigIntegerField(default=0)
    state = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_id}"
