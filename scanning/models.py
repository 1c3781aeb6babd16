from __future__ import annotations

from django.db import models

from labs.models import Cluster, LabInstance


class ScanRun(models.Model):
    """One scan of one cluster at one tier, with live progress while it runs."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (backing off)"

    class Tier(models.IntegerChoices):
        NODES = 1, "1: nodes and API"
        PODS = 2, "2: pods, fast"
        EVIDENCE = 3, "3: full evidence"
        SWEEP = 4, "4: sweep"

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="scan_runs")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    objects_read = models.PositiveIntegerField(default=0)
    namespaces_seen = models.PositiveIntegerField(default=0)
    namespaces_evaluated = models.PositiveIntegerField(default=0)
    # Live progress: `steps_done` of `steps_total` (one step per list read or batch persisted).
    phase = models.CharField(max_length=100, blank=True)
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    error_kind = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["cluster", "tier", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.cluster_id} tier {self.tier} {self.status}"

    @property
    def progress_pct(self) -> int:
        if self.status != self.Status.RUNNING:
            return 100
        return int(100 * self.steps_done / self.steps_total) if self.steps_total else 0

    @property
    def summary(self) -> str:
        text = (
            f"tier {self.tier} {self.status}: {self.objects_read} objects, "
            f"{self.namespaces_evaluated} namespaces evaluated"
        )
        if self.duration_ms is not None:
            text += f" in {self.duration_ms / 1000:.2f} s"
        return text + (f", {self.error_count} errors" if self.error_count else "")


class LabEvidence(models.Model):
    """The latest evidence of one lab namespace (a `NamespaceEvidence`, redacted)."""

    lab_instance = models.OneToOneField(
        LabInstance, on_delete=models.CASCADE, related_name="evidence"
    )
    evidence = models.JSONField()
    content_hash = models.CharField(max_length=64)
    pods_digest = models.CharField(max_length=64, blank=True)  # tier 2's change detector
    # Σ resource requests of the running pods (scanning.footprint): the lab's observed size.
    cpu_requested_millicores = models.PositiveBigIntegerField(null=True, blank=True)
    memory_requested_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    collected_at = models.DateTimeField()
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"evidence of {self.lab_instance_id}"


class EvidenceRevision(models.Model):
    """A past evidence of a lab namespace; a row is added only when the content changed."""

    lab_instance = models.ForeignKey(
        LabInstance, on_delete=models.CASCADE, related_name="evidence_revisions"
    )
    evidence = models.JSONField()
    content_hash = models.CharField(max_length=64)
    collected_at = models.DateTimeField()

    class Meta:
        ordering = ["-collected_at"]
        indexes = [models.Index(fields=["lab_instance", "-collected_at"])]

    def __str__(self) -> str:
        return f"revision {self.content_hash[:8]} of {self.lab_instance_id}"


class NodeSnapshot(models.Model):
    """The latest tier-1 view of one node, for the cluster detail page."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="node_snapshots")
    name = models.CharField(max_length=253)
    ready = models.BooleanField(default=False)
    unschedulable = models.BooleanField(default=False)
    pressure = models.JSONField(default=list, blank=True)  # e.g. ["MemoryPressure"]
    cpu_allocatable_millicores = models.PositiveBigIntegerField(default=0)
    cpu_used_millicores = models.PositiveBigIntegerField(null=True, blank=True)
    memory_allocatable_bytes = models.PositiveBigIntegerField(default=0)
    memory_used_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    hardware_class = models.CharField(
        max_length=63, blank=True, help_text="The node's STARGATE_NODE_HARDWARE_LABEL value."
    )
    collected_at = models.DateTimeField()

    class Meta:
        ordering = ["cluster", "name"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "name"], name="nodesnapshot_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cpu_used_pct(self) -> float | None:
        return _pct(self.cpu_used_millicores, self.cpu_allocatable_millicores)

    @property
    def memory_used_pct(self) -> float | None:
        return _pct(self.memory_used_bytes, self.memory_allocatable_bytes)


class ResourcePoolSnapshot(models.Model):
    """The latest tier-4 view of one Poolboy ResourcePool."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="resource_pools")
    namespace = models.CharField(max_length=63)
    name = models.CharField(max_length=253)
    min_available = models.PositiveIntegerField(null=True, blank=True)
    handle_count = models.JSONField(default=dict, blank=True)  # status.resourceHandleCount
    collected_at = models.DateTimeField()

    class Meta:
        ordering = ["cluster", "namespace", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "namespace", "name"], name="resourcepool_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


def _pct(used: int | None, total: int) -> float | None:
    if used is None or not total:
        return None
    return round(100.0 * used / total, 1)
