"""Retention: the tables that grow with every scan are pruned daily, in bounded batches.

Each kind has a retention in days (`STARGATE_RETAIN_<KIND>_DAYS`, 0 keeps everything). A row
older than that is deleted unless it is the latest of its group (a lab's latest evidence
revision, a lab's latest state change per rubric, a cluster's latest scan run per tier), a scan
still running, or a row something else still references. The remediation audit log
(`AuditEntry`) and the configuration audit (`ConfigChange`) are never pruned: they are not here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from stargate.lib.env import envint

BATCH_SIZE = 1000


@dataclass(frozen=True)
class Retention:
    kind: str  # names the setting: STARGATE_RETAIN_<KIND>_DAYS
    model: str
    time_field: str
    default_days: int
    latest_per: tuple[str, ...] = ()  # the latest row of each such group is always kept
    keep: Q | None = None  # rows never pruned whatever their age

    @property
    def setting(self) -> str:
        return f"RETAIN_{self.kind.upper()}_DAYS"

    def days(self) -> int:
        value = getattr(settings, self.setting, None)
        if value is not None:
            return int(value)
        return envint(f"STARGATE_{self.setting}", self.default_days, minimum=0)

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


RETENTIONS = (
    Retention(
        "evidence_revisions", "scanning.EvidenceRevision", "collected_at", 14, ("lab_instance",)
    ),
    Retention("state_changes", "rubrics_app.StateChange", "at", 90, ("lab_instance", "rubric_id")),
    # One row per endpoint every minute; the latest of each endpoint is the factor applied.
    Retention(
        "calibration_receipts", "rubrics_app.CalibrationReceipt", "computed_at", 7, ("endpoint",)
    ),
    # Latest view of each node: an old one is a node (or cluster) no longer scanned.
    Retention("node_snapshots", "scanning.NodeSnapshot", "collected_at", 7),
    Retention(
        "scan_runs", "scanning.ScanRun", "started_at", 14, ("cluster", "tier"), Q(status="running")
    ),
    Retention("live_events", "stargate.LiveEvent", "created_at", 1),
    # The charts' history (dashboard): a week is shown, a month kept.
    Retention("status_rollups", "dashboard.StatusRollup", "hour", 30),
    Retention("node_usage_samples", "dashboard.NodeUsageSample", "at", 7),
    # The pipeline's events; those of an open incident stay while it is open.
    Retention(
        "incident_events",
        "incidents.Event",
        "at",
        30,
        keep=Q(incident__status__in=["open", "acknowledged"]),
    ),
    # Delivered notifications and their attempts; pending messages and dead letters stay.
    Retention("notification_attempts", "notifications.DeliveryAttempt", "at", 30),
    Retention(
        "notifications",
        "notifications.Notification",
        "created_at",
        30,
        keep=Q(state__in=["pending", "dead"]),
    ),
    # The collectors (README "Collectors"): each source's latest cycle is always kept; pool
    # snapshots and AAP summaries are forecasting's history.
    Retention("collection_runs", "collectors.CollectionRun", "started_at", 14, ("source",)),
    Retention("pool_snapshots", "collectors.PoolSnapshot", "taken_at", 30, ("pool_name", "hub")),
    Retention("aap_snapshots", "collectors.AapSnapshot", "captured_at", 30),
    Retention("sandbox_metrics", "collectors.SandboxMetrics", "captured_at", 7),
    Retention(
        "cluster_utilisation", "collectors.ClusterUtilisation", "captured_at", 7, ("cluster",)
    ),
    Retention("cluster_alerts", "collectors.ClusterAlert", "last_seen", 14, keep=Q(closed_at=None)),
)


def prunable(retention: Retention, *, cutoff: datetime) -> models.QuerySet[Any]:
    """The rows `retention` may delete: older than `cutoff`, and none of the kept ones."""
    model = retention.model_class()
    rows = model._base_manager.filter(**{f"{retention.time_field}__lt": cutoff})
    if retention.keep is not None:
        rows = rows.exclude(retention.keep)
    if retention.latest_per:
        rows = rows.filter(Exists(_newer_sibling(model, retention)))
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            continue
        target = relation.field.target_field.attname
        related: Any = relation.related_model
        referencing = related._base_manager.values(relation.field.attname)
        rows = rows.exclude(**{f"{target}__in": referencing})
    return rows


def _newer_sibling(model: type[models.Model], retention: Retention) -> models.QuerySet[Any]:
    """A later row of the same group: its existence means this row is not the group's latest."""
    field = retention.time_field
    same_group = {name: OuterRef(name) for name in retention.latest_per}
    later = Q(**{f"{field}__gt": OuterRef(field)}) | Q(
        **{field: OuterRef(field), "pk__gt": OuterRef("pk")}
    )
    return model._base_manager.filter(later, **same_group)


def prune(
    retention: Retention,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    deadline: float | None = None,
) -> int:
    """Delete `retention`'s prunable rows, at most `batch_size` per DELETE, each batch in its
    own transaction; stop early once `deadline` (a `time.monotonic()` value) has passed.
    Returns the number of rows deleted."""
    days = retention.days()
    if days == 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted = 0
    while True:
        rows = prunable(retention, cutoff=cutoff)
        pks = list(rows.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        with transaction.atomic():
            # Filtered again: a row referenced since it was picked stays.
            count, _ = rows.filter(pk__in=pks).delete()
        deleted += count
        if len(pks) < batch_size or (deadline is not None and time.monotonic() > deadline):
            return deleted


def prune_all(
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
    budget_seconds: float | None = None,
) -> dict[str, int]:
    """Every kind in turn; {kind: rows deleted}. What a run leaves is pruned the next day."""
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    return {
        retention.kind: prune(retention, now=now, batch_size=batch_size, deadline=deadline)
        for retention in RETENTIONS
    }


def prunable_counts(*, now: datetime | None = None) -> dict[str, int]:
    """{kind: rows the next prune would delete}; 0 for kinds kept forever."""
    now = now or timezone.now()
    return {
        r.kind: prunable(r, cutoff=now - timedelta(days=r.days())).count() if r.days() else 0
        for r in RETENTIONS
    }
