from __future__ import annotations

from django.contrib import admin

from labs.admin_scoping import AudienceScopedAdmin
from recommendations.models import Recommendation


@admin.register(Recommendation)
class RecommendationAdmin(AudienceScopedAdmin):
    """A team member sees their team's recommendations (cluster and platform ones: operators)."""

    team_path = "team"
    list_display = ["key", "urgency", "confidence", "status", "team", "first_seen", "last_seen"]
    list_filter = ["status", "urgency", "scope", "rule"]
    search_fields = ["key", "title", "target"]
    readonly_fields = ["evidence", "decision_logic", "action_request"]
