from __future__ import annotations

from django.contrib import admin

from forecasting.models import Session
from labs.admin_scoping import AudienceScopedAdmin


@admin.register(Session)
class SessionAdmin(AudienceScopedAdmin):
    team_path = "lab__team"

    list_display = ["name", "lab", "cluster", "starts_at", "ends_at"]
    list_filter = ["lab", "cluster"]
    search_fields = ["name", "lab__catalog_item", "notes"]
    date_hierarchy = "starts_at"
