from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from pydantic import ValidationError as PydanticError

from labs.models import Cluster, Lab, LabInstance
from remediation.catalog import ActionDef


class RemediationAction(models.Model):
    """A catalog action, loaded from `remediations/catalog.yaml` and editable in the admin.

    The YAML is the reviewed source: `load_catalog` shows how the rows differ, then applies it.
    """

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    action_id = models.CharField("id", max_length=100, unique=True)
    description = models.TextField()
    risk = models.CharField(max_length=10, choices=Risk.choices)
    scope = models.CharField(max_length=20)
    method = models.CharField(max_length=30, blank=True, help_text="Empty: diagnostic only.")
    operation = models.CharField(max_length=50, blank=True)
    fixed = models.JSONField(default=dict, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    allowed_when = models.JSONField(default=list)
    forbidden_when = models.JSONField(default=list, blank=True)
    requires_approval = models.BooleanField(default=False)
    session_safe = models.BooleanField(default=False)
    undoable = models.BooleanField(default=False)
    steps = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["action_id"]

    def __str__(self) -> str:
        return self.action_id

    def definition_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.action_id,
            "description": self.description,
            "risk": self.risk,
            "scope": self.scope,
            "method": self.method or None,
            "operation": self.operation or None,
            "fixed": self.fixed,
            "parameters": self.parameters,
            "allowed_when": self.allowed_when,
            "forbidden_when": self.forbidden_when,
            "requires_approval": self.requires_approval,
            "session_safe": self.session_safe,
            "undoable": self.undoable,
            "steps": self.steps,
        }
        return data

    def definition(self) -> ActionDef:
        """The row as the typed catalog model; the gates and executors only see this."""
        return ActionDef.model_validate(self.definition_data())

    def clean(self) -> None:
        try:
            self.definition()
        except PydanticError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise ValidationError(f"{field}: {first['msg']}") from exc


class ActionRequest(models.Model):
    """One proposed, approved, executed or refused remediation of one lab instance."""

    class Status(models.TextChoices):
        RECOMMENDED = "recommended", "Recommended"
        PENDING = "pending", "Pending approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"
        EXECUTING = "executing", "Executing"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        OBSOLETE = "obsolete", "Obsolete"  # the failure cleared before it was acted on

    class Source(models.TextChoices):
        AUTO = "auto", "Automatic"
        UI = "ui", "UI"
        API = "api", "API"

    OPEN = (Status.PENDING, Status.APPROVED, Status.EXECUTING)
    IN_FLIGHT = (Status.APPROVED, Status.EXECUTING)  # time out: see remediation.timeouts

    lab_instance = models.ForeignKey(
        LabInstance, on_delete=models.PROTECT, related_name="action_requests"
    )
    action = models.ForeignKey(RemediationAction, on_delete=models.PROTECT, related_name="requests")
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    failure_class = models.CharField(max_length=100)
    fingerprint = models.CharField(
        max_length=40, blank=True, help_text="The failure's (the verdict's); empty when manual."
    )
    last_seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When a remediation pass last found the failure."
    )
    evidence = models.JSONField(default=dict, blank=True, help_text="Snapshot behind the request.")
    confirmed = models.BooleanField(default=True, help_text="The classification was confirmed.")
    decision = models.JSONField(default=list, blank=True, help_text="Each gate and its reason.")
    source = models.CharField(max_length=10, choices=Source.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    recovered = models.BooleanField(null=True, blank=True, help_text="Verified after execution.")
    recovered_seconds = models.FloatField(null=True, blank=True)
    escalated = models.BooleanField(default=False)
    # Verification runs as follow-up checks (see remediation.verification), not a blocking wait.
    verify_deadline = models.DateTimeField(null=True, blank=True)
    verify_next_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Next check; empty when not verifying."
    )

    class Meta:
        ordering = ["-created_at"]
        permissions = [("approve_actionrequest", "Can approve or reject remediation requests")]
        indexes = [
            models.Index(fields=["lab_instance", "status"]),
            models.Index(fields=["lab_instance", "action", "fingerprint"]),
        ]

    def __str__(self) -> str:
        return f"{self.action.action_id} on {self.lab_instance} ({self.status})"


class AuditEntry(models.Model):
    """An append-only record around every decision and execution. Never deleted by the app."""

    class Event(models.TextChoices):
        REQUESTED = "requested", "Requested"
        REDECIDED = "redecided", "Decided again"  # a pass found the failure, the gates changed
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"
        TIMED_OUT = "timed_out", "Timed out"  # left approved or executing by a killed worker
        BEFORE = "before", "Before execution"
        AFTER = "after", "After execution"
        VERIFIED = "verified", "Verified"
        ROLLED_BACK = "rolled_back", "Rolled back"
        ESCALATED = "escalated", "Escalated"
        REFUSED = "refused", "Refused by a gate"
        OBSOLETE = "obsolete", "Obsolete"
        PAUSE = "pause", "Pause switch changed"
        WINDOW = "window", "Maintenance window changed"

    action_request = models.ForeignKey(
        ActionRequest,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        null=True,
        blank=True,
        help_text="Empty for pause switches and maintenance windows.",
    )
    event = models.CharField(max_length=20, choices=Event.choices)
    ok = models.BooleanField(default=True)
    intent = models.TextField(blank=True)
    gates = models.JSONField(default=list, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=ActionRequest.Source.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="Kept if the user goes.")
    target = models.CharField(max_length=20, blank=True, help_text="mock, test or production.")
    dry_run = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.event} #{self.action_request_id}"


class RateCounter(models.Model):
    """Actions started per key (`lab-<id>`, `cluster-<id>`) per hour; see rate_slot_claim."""

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="ratecounter_unique_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:00}: {self.count}"


class RemediationPause(models.Model):
    """The "pause remediation" switch: the global one (no cluster) or one cluster's.

    While on, nothing executes there: the pass, approvals and the executor all refuse.
    """

    cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: every cluster.",
    )
    paused = models.BooleanField(default=False)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One switch per scope; the global one has no cluster (NULLs are distinct otherwise).
            models.UniqueConstraint(
                Coalesce("cluster", models.Value(0)), name="remediationpause_one_per_scope"
            )
        ]

    def __str__(self) -> str:
        scope = f"cluster {self.cluster}" if self.cluster_id else "global"
        return f"{scope}: {'paused' if self.paused else 'running'}"


class MaintenanceWindow(models.Model):
    """Remediation pauses inside the window, on its cluster and/or catalog item (neither: all)."""

    cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: every cluster.",
    )
    lab = models.ForeignKey(
        Lab,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="catalog item",
        help_text="Empty: every catalog item.",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="maintenancewindow_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        scope = " ".join(str(part) for part in (self.cluster, self.lab) if part) or "everywhere"
        return f"{scope}: {self.starts_at:%Y-%m-%d %H:%M} to {self.ends_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The window must end after it starts."})
