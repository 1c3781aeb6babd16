from __future__ import annotations

from django.apps import AppConfig
from django.core import checks


class RubricsAppConfig(AppConfig):
    name = "rubrics_app"
    verbose_name = "Readiness rubrics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .classification import broadcast
        from .system_checks import prompts_valid, rubrics_valid

        broadcast.register()

        checks.register(rubrics_valid)
        checks.register(prompts_valid)
