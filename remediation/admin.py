from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from labs.admin_scoping import AudienceScopedAdmin
from labs.selectors import Audience, visible_clusters
from remediation import pauses, selectors
from remediation.models import (
    ActionRequest,
    AuditEntry,
    MaintenanceWindow,
    RemediationAction,
    RemediationPause,
)
from stargate.lib.durations import duration_text


@admin.register(RemediationAction)
class RemediationActionAdmin(admin.ModelAdmin[RemediationAction]):
    list_display = ["action_id", "risk", "scope", "method", "requires_approval", "enabled"]
    list_filter = ["risk", "method", "enabled", "requires_approval", "session_safe"]
    search_fields = ["action_id", "description"]


@admin.register(ActionRequest)
class ActionRequestAdmin(AudienceScopedAdmin):
    list_display = [
        "pk",
        "action",
        "lab_instance",
        "status",
        "source",
        "created_at",
        "time_to_ready",
    ]
    list_filter = ["status", "source", "recovered", "escalated", "action__risk", "action"]
    team_path = "lab_instance__lab__team"
    list_select_related = ["action", "lab_instance__cluster"]
    date_hierarchy = "created_at"
    search_fields = ["lab_instance__namespace", "action__action_id"]
    readonly_fields = [f.name for f in ActionRequest._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="time to ready", ordering="recovered_seconds")
    def time_to_ready(self, request: ActionRequest) -> str:
        seconds = request.recovered_seconds
        return "" if seconds is None else duration_text(seconds)


@admin.register(AuditEntry)
class AuditEntryAdmin(AudienceScopedAdmin):
    """Read-only: the audit log is written by the services and never changed or deleted.

    A team member sees the entries of their labs' requests (the others, of switches and
    windows, are for platform operators)."""

    team_path = "action_request__lab_instance__lab__team"

    list_display = [
        "created_at",
        "event",
        "ok",
        "action_request",
        "source",
        "username",
        "target",
        "took",
    ]
    list_filter = ["event", "ok", "source", "target"]
    date_hierarchy = "created_at"
    search_fields = ["username", "intent", "error"]

    @admin.display(description="duration", ordering="duration_ms")
    def took(self, entry: AuditEntry) -> str:
        return "" if entry.duration_ms is None else duration_text(entry.duration_ms / 1000)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RemediationPause)
class RemediationPauseAdmin(AudienceScopedAdmin):
    """Read-only here: switch on the pause page or through the API, so every change is audited.
    A team member sees the global switch and those of the clusters they see."""

    def audience_rows(self, queryset: QuerySet[Any], audience: Audience) -> QuerySet[Any]:
        clusters = visible_clusters(audience).values("pk")
        return queryset.filter(Q(cluster__isnull=True) | Q(cluster__in=clusters))

    list_display = ["__str__", "paused", "reason", "changed_by", "changed_at"]
    list_filter = ["paused"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(AudienceScopedAdmin):
    list_display = ["__str__", "cluster", "lab", "starts_at", "ends_at", "reason", "created_by"]
    list_filter = ["cluster"]
    exclude = ["created_by"]

    def audience_rows(self, queryset: QuerySet[Any], audience: Audience) -> QuerySet[Any]:
        """As on the pause page (`remediation.selectors.visible_windows`)."""
        return queryset.filter(pk__in=selectors.visible_windows(audience).values("pk"))

    def save_model(self, request: Any, obj: MaintenanceWindow, form: Any, change: bool) -> None:
        before = None
        if change:
            before = pauses.window_json(MaintenanceWindow.objects.get(pk=obj.pk))
        else:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        after = pauses.window_json(obj)
        pauses.window_audit(label=str(obj), before=before, after=after, user=request.user)

    def delete_model(self, request: Any, obj: MaintenanceWindow) -> None:
        pauses.maintenance_window_delete(window=obj, user=request.user)
