from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.db.models import QuerySet
from django.http import HttpRequest

from labs import admin_users, services
from labs.admin_scoping import AudienceScopedAdmin
from labs.models import Cluster, Lab, LabInstance, Team
from labs.selectors import Audience, audience_of, visible_clusters

__all__ = ["admin_users"]  # users, groups, tasks and identities, scoped


@admin.register(Cluster)
class ClusterAdmin(AudienceScopedAdmin):
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

    def audience_rows(self, queryset: QuerySet[Any], audience: Audience) -> QuerySet[Any]:
        """The clusters where the user's teams have live labs."""
        return queryset.filter(pk__in=visible_clusters(audience).values("pk"))

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
class TeamAdmin(AudienceScopedAdmin):
    list_display = ["name", "sso_group", "platform_operators"]
    search_fields = ["name", "sso_group"]
    filter_horizontal = ["members"]

    team_path = "pk"

    def get_readonly_fields(self, request: HttpRequest, obj: Team | None = None) -> Any:
        """Only platform operators make operators or give teams catalog items and SSO groups."""
        fields = super().get_readonly_fields(request, obj)
        if audience_of(request.user).everything:
            return fields
        return [*fields, "platform_operators", "catalog_item_patterns", "sso_group"]

    def save_model(self, request: HttpRequest, obj: Team, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "catalog_item_patterns" in form.changed_data:
            n = services.team_patterns_apply(obj)
            if n:
                self.message_user(request, f"{obj.name} now owns {n} more catalog items.")


@admin.register(Lab)
class LabAdmin(AudienceScopedAdmin):
    list_display = [
        "catalog_item",
        "display_name",
        "team",
        "execution_mode",
        "max_actions_per_hour",
    ]
    list_filter = ["execution_mode", "team"]
    search_fields = ["catalog_item", "display_name"]

    team_path = "team"


@admin.register(LabInstance)
class LabInstanceAdmin(AudienceScopedAdmin):
    list_display = ["namespace", "cluster", "lab", "status", "failure_class", "evaluated"]
    list_filter = ["status", "cluster", "lab"]
    search_fields = ["namespace", "guid"]
    list_select_related = ["cluster", "lab"]
    raw_id_fields = ["lab"]

    team_path = "lab__team"

    @admin.display(description="last evaluated", ordering="last_evaluated_at")
    def evaluated(self, instance: LabInstance) -> str:
        if instance.last_evaluated_at is None:
            return "never"
        return naturaltime(instance.last_evaluated_at)
