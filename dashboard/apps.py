from __future__ import annotations

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The top floor: pages, tables, filters, the fleet snapshot and the live fragments. It reads
    the other apps' selectors; no app imports it."""

    name = "dashboard"
    verbose_name = "Dashboard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dashboard import live

        live.register()
