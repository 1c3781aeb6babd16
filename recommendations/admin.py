from __future__ import annotations

from django.contrib import admin

from recommendations.models import Recommendation


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin[Recommendation]):
    list_display = ["key", "urgency", "confidence", "status", "team", "first_seen", "last_seen"]
    list_filter = ["status", "urgency", "scope", "rule"]
    search_fields = ["key", "title", "target"]
    readonly_fields = ["evidence", "decision_logic", "action_request"]
