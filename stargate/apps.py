from __future__ import annotations

from django.apps import AppConfig


class StargateConfig(AppConfig):
    """The project package doubles as the app for platform concerns: API keys, health probes,
    the configuration audit and retention."""

    name = "stargate"
    verbose_name = "StarGate platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from stargate import configaudit

        configaudit.connect()
