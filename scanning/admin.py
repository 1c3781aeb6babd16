from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from labs.admin_scoping import AudienceScopedAdmin
from scanning.models import (
    EvidenceRevision,
    LabEvidence,
    NodeSnapshot,
    ResourcePoolSnapshot,
    ScanRun,
)
from stargate.lib.durations import duration_text


class ReadOnlyAdmin(AudienceScopedAdmin):
    """Rows written by the scanner only; a team member sees those of their labs' clusters."""

    cluster_path: ClassVar[str | None] = "cluster"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdmin):
    list_display = [
        "cluster",
        "tier",
        "status",
        "started_at",
        "duration",
        "objects_read",
        "namespaces_evaluated",
        "error_count",
    ]
    list_filter = ["status", "tier", "cluster"]
    date_hierarchy = "started_at"
    list_select_related = ["cluster"]
    # They count or name every team's labs on the cluster: for platform operators only.
    operators_only_fields = (
        "objects_read",
        "namespaces_seen",
        "namespaces_evaluated",
        "error_count",
        "errors",
    )

    @admin.display(description="duration", ordering="duration_ms")
    def duration(self, run: ScanRun) -> str:
        return "running" if run.duration_ms is None else duration_text(run.duration_ms / 1000)


@admin.register(LabEvidence)
class LabEvidenceAdmin(ReadOnlyAdmin):
    cluster_path = None
    team_path = "lab_instance__lab__team"
    list_display = ["lab_instance", "collected_at", "changed_at", "content_hash"]
    list_filter = ["lab_instance__cluster"]
    search_fields = ["lab_instance__namespace"]
    list_select_related = ["lab_instance__cluster"]


@admin.register(EvidenceRevision)
class EvidenceRevisionAdmin(ReadOnlyAdmin):
    cluster_path = None
    team_path = "lab_instance__lab__team"
    list_display = ["lab_instance", "collected_at", "content_hash"]
    list_filter = ["lab_instance__cluster"]
    search_fields = ["lab_instance__namespace"]
    list_select_related = ["lab_instance__cluster"]


@admin.register(NodeSnapshot)
class NodeSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["cluster", "name", "ready", "pressure", "cpu_used_pct", "memory_used_pct"]
    list_filter = ["cluster", "ready"]
    search_fields = ["name"]


@admin.register(ResourcePoolSnapshot)
class ResourcePoolSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["cluster", "namespace", "name", "min_available", "collected_at"]
    list_filter = ["cluster"]
