"""What the dashboard keeps for its charts: small rollups that the workers write, so that a page
reads a few hundred rows rather than the fleet's labs or history."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from labs.models import Cluster, Team


class StatusRollup(models.Model):
    """The labs of one cluster and team (none: labs of no team) that were failed, or warning,
    at some moment of one hour, and the labs there were; written by `dashboard.rollup`."""

    hour = models.DateTimeField()  # the hour's start
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    failed = models.PositiveIntegerField(default=0)
    warn = models.PositiveIntegerField(default=0)
    labs = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "cluster", "team"],
                condition=Q(team__isnull=False),
                name="statusrollup_unique_team",
            ),
            models.UniqueConstraint(
                fields=["hour", "cluster"],
                condition=Q(team__isnull=True),
                name="statusrollup_unique_no_team",
            ),
        ]
        indexes = [models.Index(fields=["hour"], name="statusrollup_hour")]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} cluster {self.cluster_id}: {self.failed} failed"


class NodeUsageSample(models.Model):
    """One node's CPU and memory use at one moment (a node snapshot is replaced in place by
    every tier-1 scan; these keep its history for the cluster page's chart)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    node = models.CharField(max_length=253)
    at = models.DateTimeField()
    cpu_pct = models.FloatField(null=True, blank=True)
    memory_pct = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cluster", "node", "at"], name="nodeusage_unique_at")
        ]
        indexes = [models.Index(fields=["cluster", "at"], name="nodeusage_cluster_at")]

    def __str__(self) -> str:
        return f"{self.node} at {self.at:%Y-%m-%d %H:%M}"
