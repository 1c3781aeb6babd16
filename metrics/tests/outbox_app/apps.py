from __future__ import annotations

from django.apps import AppConfig


class OutboxStandInConfig(AppConfig):
    name = "metrics.tests.outbox_app"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"
