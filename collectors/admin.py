"""The collectors' admin is for platform operators only (hub pools, controllers' jobs,
placements, alerts and catalog definitions serve every team and name every team's clusters and
catalog items: `labs.admin_scoping`; team members read their part on the pages), except the lab
mappings and constraint violations, which belong to one catalog item: scoped to its team."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils import timezone

from collectors import models
from labs.admin_scoping import AudienceScopedAdmin, OperatorsOnlyAdmin


@admin.register(models.SourceState)
class SourceStateAdmin(OperatorsOnlyAdmin):
    list_display = [
        "name",
        "configured",
        "last_success_at",
        "last_error_kind",
        "consecutive_failures",
    ]
    readonly_fields = [f.name for f in models.SourceState._meta.fields]


@admin.register(models.PoolSnapshot)
class PoolSnapshotAdmin(OperatorsOnlyAdmin):
    list_display = ["pool_name", "hub", "taken_at", "available", "ready", "min_available"]
    list_filter = ["hub"]
    search_fields = ["pool_name"]


@admin.register(models.AapJob)
class AapJobAdmin(OperatorsOnlyAdmin):
    list_display = ["controller", "job_id", "name", "kind", "failing_task", "finished"]
    list_filter = ["kind", "controller"]
    search_fields = ["name", "failing_task", "lab_code"]


@admin.register(models.SmokeTestResult)
class SmokeTestResultAdmin(OperatorsOnlyAdmin):
    list_display = ["lab_code", "catalog_item", "source", "passed", "finished_at"]
    list_filter = ["source", "passed"]


@admin.register(models.CatalogDefinition)
class CatalogDefinitionAdmin(OperatorsOnlyAdmin):
    list_display = ["path", "catalog_item", "workload_count", "complexity_score", "commit"]
    search_fields = ["path", "catalog_item"]


@admin.register(models.LabMapping)
class LabMappingAdmin(AudienceScopedAdmin):
    """Mappings (3.3). A team's staff see and write those of its catalog items; a collector
    never replaces one saved here (`source=manual`)."""

    team_path = "lab__team"
    list_display = ["lab_code", "source", "namespace_pattern", "pool_pattern", "lab", "updated_at"]
    list_filter = ["source"]
    search_fields = ["lab_code", "ci_name", "namespace_pattern"]
    readonly_fields = ["updated_at"]

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        obj.source = models.LabMapping.Source.MANUAL
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(models.ConstraintViolation)
class ConstraintViolationAdmin(AudienceScopedAdmin):
    team_path = "lab__team"
    list_display = ["lab_code", "violation_type", "subject", "severity", "expected", "actual"]
    list_filter = ["violation_type", "severity"]
    search_fields = ["lab_code", "subject"]

    def has_add_permission(self, request: Any, *args: Any) -> bool:
        return False  # the AgnosticV cycle writes them


for model in (
    models.ProvisionRecord,
    models.LabIdentity,
    models.ScheduledLab,
    models.SandboxPlacement,
    models.ClusterAlert,
    models.ClusterUtilisation,
    models.ZeroTouchItem,
    models.BabylonCatalogItem,
):
    admin.site.register(model, OperatorsOnlyAdmin)
