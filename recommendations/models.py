from __future__ import annotations

from django.db import models
from django.utils import timezone

from labs.models import Lab, Team
from remediation.models import ActionRequest


class Urgency(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


URGENCY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


class Recommendation(models.Model):
    """What the policy engine advises for one lab, pool, cluster or the platform (spec 23.4).

    One open row per `key` (`<rule>:<target>`): a finding that holds again refreshes it; one that
    no longer holds is resolved, and a later return opens a new row.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    key = models.CharField(max_length=300, db_index=True)
    rule = models.CharField(max_length=63, db_index=True)
    scope = models.CharField(max_length=20)
    target = models.CharField(max_length=253)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lab = models.ForeignKey(Lab, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    confidence = models.FloatField()
    confidence_reason = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=300)
    recommendation = models.TextField()
    next_action = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=100, blank=True, help_text="A remediation catalog action.")
    evidence = models.JSONField(default=dict, blank=True)
    constraint_violations = models.JSONField(
        default=list, blank=True, help_text="The lab's AgnosticV constraint violations (23.4)."
    )
    decision_logic = models.TextField(blank=True)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    action_request = models.ForeignKey(
        ActionRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["status", "-last_seen", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(status="open"),
                name="recommendation_open_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.urgency} {self.key}"

    @property
    def urgency_rank(self) -> int:
        return URGENCY_RANK.get(self.urgency, 9)
