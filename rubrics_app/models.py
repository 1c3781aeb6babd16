from __future__ import annotations

from django.db import models

from labs.models import LabInstance, Status


class Evaluation(models.Model):
    """The current verdict of one rubric on one lab instance, with the evidence behind it."""

    lab_instance = models.ForeignKey(
        LabInstance, on_delete=models.CASCADE, related_name="evaluations"
    )
    rubric_id = models.CharField(max_length=100)
    rubric_version = models.PositiveIntegerField(default=1)
    outcome = models.CharField(max_length=20, choices=Status.choices, default=Status.UNKNOWN)
    failure_class = models.CharField(max_length=100, blank=True)
    recommended_action = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    object_ref = models.CharField(max_length=300, blank=True)
    fingerprint = models.CharField(max_length=40, blank=True, db_index=True)
    criteria = models.JSONField(default=list, blank=True)  # each criterion's result
    evidence_excerpt = models.JSONField(default=list, blank=True)  # the objects not ready
    # The engine's memory: when it first saw each object progressing, at which progress marker.
    progress_memory = models.JSONField(default=dict, blank=True)
    outcome_since = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["lab_instance", "rubric_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["lab_instance", "rubric_id"], name="evaluation_unique_rubric"
            )
        ]
        indexes = [models.Index(fields=["outcome", "failure_class"])]

    def __str__(self) -> str:
        return f"{self.rubric_id} on {self.lab_instance_id}: {self.outcome}"


class StateChange(models.Model):
    """A change of outcome (READY→FAILED…); a blank rubric_id is the lab's own status."""

    lab_instance = models.ForeignKey(
        LabInstance, on_delete=models.CASCADE, related_name="state_changes"
    )
    rubric_id = models.CharField(max_length=100, blank=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    failure_class = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="statechange_latest"),
            models.Index(fields=["lab_instance", "-at"], name="statechange_lab_timeline"),
        ]

    def __str__(self) -> str:
        scope = self.rubric_id or "lab"
        return f"{self.lab_instance_id} {scope}: {self.from_status or '-'} → {self.to_status}"
