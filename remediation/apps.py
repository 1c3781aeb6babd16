from __future__ import annotations

from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "remediation"
    verbose_name = "Remediation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from remediation import broadcast

        broadcast.register()
