from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from labs.admin_scoping import AudienceScopedAdmin
from rubrics_app.models import (
    AttentionDecision,
    AttentionGate,
    Evaluation,
    LLMCacheEntry,
    LLMCall,
    StateChange,
)


class ReadOnly:
    """Verdicts are written by the engine's service only."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnly, AudienceScopedAdmin):
    team_path = "lab_instance__lab__team"
    list_display = ["lab_instance", "rubric_id", "outcome", "failure_class", "evaluated_at"]
    list_filter = ["outcome", "rubric_id", "failure_class"]
    search_fields = ["lab_instance__namespace", "fingerprint"]
    list_select_related = ["lab_instance__cluster"]


@admin.register(StateChange)
class StateChangeAdmin(ReadOnly, AudienceScopedAdmin):
    team_path = "lab_instance__lab__team"
    list_display = ["at", "lab_instance", "rubric_id", "from_status", "to_status", "failure_class"]
    list_filter = ["to_status", "rubric_id"]
    search_fields = ["lab_instance__namespace"]
    list_select_related = ["lab_instance__cluster"]


@admin.register(LLMCall)
class LLMCallAdmin(ReadOnly, AudienceScopedAdmin):
    """Calls and answers serve every team's labs: for platform operators only."""

    operators_only = True
    list_display = [
        "called_at",
        "prompt_id",
        "prompt_version",
        "model",
        "outcome",
        "total_tokens",
        "cost_usd",
        "latency_ms",
    ]
    list_filter = ["outcome", "prompt_id", "model"]
    search_fields = ["fingerprint", "bundle_digest", "error_type"]


@admin.register(LLMCacheEntry)
class LLMCacheEntryAdmin(ReadOnly, AudienceScopedAdmin):
    operators_only = True
    list_display = ["signature", "prompt_id", "prompt_version", "model", "hits", "created_at"]
    list_filter = ["prompt_id", "model"]
    search_fields = ["signature"]


@admin.register(AttentionGate)
class AttentionGateAdmin(admin.ModelAdmin[AttentionGate]):
    """The switch of automatic investigation: one row, changed, never deleted."""

    list_display = ["__str__", "enabled", "changed_at", "changed_by"]
    fields = ["enabled"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AttentionGate.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AttentionGate, form: Any, change: bool) -> None:
        obj.changed_by = request.user if request.user.is_authenticated else None
        obj.changed_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(AttentionDecision)
class AttentionDecisionAdmin(ReadOnly, AudienceScopedAdmin):
    team_path = "lab_instance__lab__team"
    list_display = ["lab_instance", "rubric_id", "attention", "step", "reason", "run", "at"]
    list_filter = ["attention", "step", "source"]
    list_select_related = ["lab_instance__cluster"]
