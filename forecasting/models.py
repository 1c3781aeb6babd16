from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from labs.models import Cluster, Lab


class SessionSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    LABAGATOR = "labagator", "Labagator"
    LAUNCHPAD = "launchpad", "Launchpad"


class Session(models.Model):
    """A scheduled delivery of a lab (a workshop, a training): attendees are in the lab between
    `starts_at` and `ends_at`. Remediation refuses actions that are not session-safe meanwhile.

    With a cluster, the session covers only that cluster's instances of the lab; without, all.
    """

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="sessions")
    name = models.CharField(max_length=200)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(db_index=True)
    cluster = models.ForeignKey(
        Cluster,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sessions",
        help_text="Empty: every cluster running the lab.",
    )
    notes = models.TextField(blank=True)
    # Where the row comes from: a collector upserts and removes only its own rows (by
    # `external_id`); hand-entered sessions are never touched by a collector.
    source = models.CharField(
        max_length=20, choices=SessionSource.choices, default=SessionSource.MANUAL, db_index=True
    )
    external_id = models.CharField(max_length=200, blank=True)
    lab_code = models.CharField(max_length=63, blank=True, db_index=True)
    attendees = models.PositiveIntegerField(default=0)
    room = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=40, blank=True)
    has_start_time = models.BooleanField(
        default=True,
        help_text="False for Launchpad sessions: they count as started and never boost urgency.",
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(source="manual"),
                name="session_source_external_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.lab}, {self.starts_at:%Y-%m-%d %H:%M})"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A session ends after it starts."})
