"""The collectors' admin is for platform operators only: hub pools, controllers' jobs,
placements, alerts and catalog definitions serve every team and name every team's clusters and
catalog items (`labs.admin_scoping`); team members read their part on the pages."""

from __future__ import annotations

from django.contrib import admin

from collectors import models
from labs.admin_scoping import OperatorsOnlyAdmin


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
