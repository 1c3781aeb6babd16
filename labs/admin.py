from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.db.models import QuerySet
from django.http import HttpRequest

from labs import services
from labs.models import Cluster, Lab, LabInstance, Team
from labs.selectors import audience_of, visible_clusters, visible_labs


def _audience(request: HttpRequest) -> Any:
    return audience_of(request.user)


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cluster]:
        """Staff who are not platform operators see the clusters of their teams' labs."""
        visible = visible_clusters(_audience(request)).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)

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
    list_display = ["name", "sso_group", "platform_operators"]
    search_fields = ["name", "sso_group"]
    filter_horizontal = ["members"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        audience = _audience(request)
        teams = super().get_queryset(request)
        return teams if audience.everything else teams.filter(pk__in=sorted(audience.team_ids))

    def save_model(self, request: HttpRequest, obj: Team, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "catalog_item_patterns" in form.changed_data:
            n = services.team_patterns_apply(obj)
            if n:
                self.message_user(request, f"{obj.name} now owns {n} more catalog items.")


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lab]:
        visible = visible_labs(_audience(request)).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)


@admin.register(LabInstance)
class LabInstanceAdmin(admin.ModelAdmin[LabInstance]):
    list_display = ["namespace", "cluster", "lab", "status", "failure_class", "evaluated"]
    list_filter = ["status", "cluster", "lab"]
    search_fields = ["namespace", "guid"]
    list_select_related = ["cluster", "lab"]
    raw_id_fields = ["lab"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LabInstance]:
        audience = _audience(request)
        instances = super().get_queryset(request)
        if audience.everything:
            return instances
        return instances.filter(lab__team_id__in=sorted(audience.team_ids))

    @admin.display(description="last evaluated", ordering="last_evaluated_at")
    def evaluated(self, instance: LabInstance) -> str:
        if instance.last_evaluated_at is None:
            return "never"
        return naturaltime(instance.last_evaluated_at)
