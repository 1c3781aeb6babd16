from __future__ import annotations

from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """`/metrics` for Prometheus: on the top floor (beside `dashboard`), it reads every app's
    models at scrape time; no app imports it."""

    name = "metrics"
    verbose_name = "Metrics"
    default_auto_field = "django.db.models.BigAutoField"
