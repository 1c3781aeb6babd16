from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from remediation.models import ActionRequest, AuditEntry, RemediationAction


@admin.register(RemediationAction)
class RemediationActionAdmin(admin.ModelAdmin[RemediationAction]):
    list_display = ["action_id", "risk", "scope", "method", "requires_approval", "enabled"]
    list_filter = ["risk", "method", "enabled", "requires_approval", "session_safe"]
    search_fields = ["action_id", "description"]


@admin.register(ActionRequest)
class ActionRequestAdmin(admin.ModelAdmin[ActionRequest]):
    list_display = ["pk", "action", "lab_instance", "status", "source", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["lab_instance__namespace", "action__action_id"]
    readonly_fields = [f.name for f in ActionRequest._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the audit log is written by the services and never changed or deleted."""

    list_display = ["created_at", "event", "ok", "action_request", "source", "username", "target"]
    list_filter = ["event", "ok", "source", "target"]
    search_fields = ["username", "intent", "error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
