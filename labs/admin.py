from __future__ import annotations

from django.contrib import admin
from django.contrib.humanize.templatetags.humanize import naturaltime

from labs.models import Cluster, Lab, LabInstance, Team


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin[Cluster]):
    list_display = [
        "name",
        "api_url",
        "enabled",
        "reachable",
        "consecutive_failures",
        "last_seen_at",
    ]
    list_filter = ["enabled", "reachable", "simulated", "insecure_lab"]
    search_fields = ["name", "api_url"]
    readonly_fields = [
        "ingress_domain",
        "reachable",
        "unreachable_since",
        "last_error",
        "consecutive_failures",
        "last_seen_at",
        "api_latency_ms",
    ]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "sso_group"]
    search_fields = ["name", "sso_group"]
    filter_horizontal = ["members"]


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin[Lab]):
    list_display = [
        "catalog_item",
        "display_name",
        "team",
        "execution_mode",
        "max_actions_per_hour",
    ]
    list_filter = ["execution_mode", "team"]
    search_fields = ["catalog_item", "display_name"]


@admin.register(LabInstance)
class LabInstanceAdmin(admin.ModelAdmin[LabInstance]):
    list_display = ["namespace", "cluster", "lab", "status", "failure_class", "evaluated"]
    list_filter = ["status", "cluster", "lab"]
    search_fields = ["namespace", "guid"]
    list_select_related = ["cluster", "lab"]
    raw_id_fields = ["lab"]

    @admin.display(description="last evaluated", ordering="last_evaluated_at")
    def evaluated(self, instance: LabInstance) -> str:
        if instance.last_evaluated_at is None:
            return "never"
        return naturaltime(instance.last_evaluated_at)
