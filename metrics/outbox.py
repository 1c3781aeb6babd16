"""Notifications pending and dead-lettered, when the `notifications` app is installed.

That app is built separately: this module never imports it. It reads, through the app registry,
the first model of the app with a `status` (or `state`) field, and counts its rows in pending
states and in dead-letter states. Without the app, or without such a model, it exports nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

APP = "notifications"
STATE_FIELDS = ("status", "state")
PENDING = frozenset({"pending", "queued", "retry", "retrying", "scheduled", "sending"})


def _is_dead(state: str) -> bool:
    return state.startswith("dead")


def outbox_model() -> tuple[type[models.Model], str] | None:
    """The notifications model with a state field, and that field's name, or None."""
    if not apps.is_installed(APP) and APP not in apps.app_configs:  # by name, or by label
        return None
    for model in apps.get_app_config(APP).get_models():
        for field in STATE_FIELDS:
            try:
                model._meta.get_field(field)
            except FieldDoesNotExist:
                continue
            return model, field
    return None


def notifications() -> Iterator[Metric]:
    found = outbox_model()
    if found is None:
        return
    model, field = found
    counts = dict(model._default_manager.values_list(field).annotate(n=Count("pk")).order_by())
    pending = sum(n for state, n in counts.items() if str(state) in PENDING)
    dead = sum(n for state, n in counts.items() if _is_dead(str(state)))
    yield GaugeMetricFamily(
        "stargate_notifications_pending",
        "Notifications written to the outbox and not delivered yet (retries included).",
        value=pending,
    )
    yield GaugeMetricFamily(
        "stargate_notifications_dead_lettered",
        "Notifications that gave up after their last attempt, waiting for a retry by a person.",
        value=dead,
    )
