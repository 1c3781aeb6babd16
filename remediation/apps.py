from __future__ import annotations

from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "remediation"
    verbose_name = "Remediation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from remediation import broadcast
        from remediation.selectors import config_changes_seen
        from stargate.configaudit import change_scope_register

        broadcast.register()
        change_scope_register(config_changes_seen)
