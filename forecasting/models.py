from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from labs.models import Cluster, Lab


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

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.lab}, {self.starts_at:%Y-%m-%d %H:%M})"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A session ends after it starts."})
