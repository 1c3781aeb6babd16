from __future__ import annotations

from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = "Labs and clusters"
    default_auto_field = "django.db.models.BigAutoField"
