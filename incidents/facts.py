"""Reads the pipeline and the incidents need from other apps: class severities, sessions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from forecasting.models import Session
from rubrics_app.loader import FAILURE_CLASSES_FILE, failure_classes_load


@cache
def _classes(directory: str) -> dict[str, tuple[str, str]]:
    loaded = failure_classes_load(Path(directory) / FAILURE_CLASSES_FILE)
    return {cls.id: (cls.severity, cls.action) for cls in loaded.values()}


def class_severity(failure_class: str) -> str:
    """The class's severity in `rubrics/failure_classes.yaml` ("" for an unknown class)."""
    return _classes(str(settings.RUBRICS_DIR)).get(failure_class, ("", ""))[0]


def class_action(failure_class: str) -> str:
    """The class's recommended remediation action ("" for an unknown class)."""
    return _classes(str(settings.RUBRICS_DIR)).get(failure_class, ("", ""))[1]


def next_session_minutes(pairs: Iterable[tuple[int, int]], now: datetime) -> float | None:
    """Minutes to the nearest session of any (catalog item id, cluster id) pair: 0 while one is
    running, None when none is running or to come. A session without a cluster covers all."""
    match = Q(pk__in=[])
    for lab_id, cluster_id in set(pairs):
        match |= Q(lab_id=lab_id) & (Q(cluster__isnull=True) | Q(cluster_id=cluster_id))
    starts = (
        Session.objects.filter(match, ends_at__gt=now)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if starts is None:
        return None
    return max(0.0, (starts - now).total_seconds() / 60)
