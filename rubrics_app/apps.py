from __future__ import annotations

from django.apps import AppConfig


class RubricsAppConfig(AppConfig):
    name = "rubrics_app"
    verbose_name = "Readiness rubrics"
    default_auto_field = "django.db.models.BigAutoField"
