"""Scanning services: run one tier against one cluster, mark reachability, scan many clusters."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timedelta
from functools import partial

from django.db import close_old_connections, connections, transaction
from django.db.models import F
from django.utils import timezone

from labs.models import Cluster, LabInstance, Status
from scanning import tiers
from scanning.client import ClusterAccessError, api_client_for
from scanning.models import ScanRun
from scanning.tiers import ScanContext
from stargate import counters, realtime
from stargate.lib.redact import redact_text

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=30)
TIER_FUNCTIONS = {1: tiers.tier1, 2: tiers.tier2, 3: tiers.tier3, 4: tiers.tier4}


def cluster_retry_at(*, cluster: Cluster) -> datetime | None:
    """When a failing cluster may be contacted again (exponential backoff), or None."""
    if not cluster.consecutive_failures:
        return None
    last_failure: datetime | None = (
        ScanRun.objects.filter(cluster=cluster, status=ScanRun.Status.FAILED)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    if last_failure is None:
        return None
    backoff = min(BACKOFF_BASE * (1 << min(cluster.consecutive_failures - 1, 16)), BACKOFF_MAX)
    return last_failure + backoff


def cluster_mark_reachable(*, cluster: Cluster, now: datetime) -> None:
    """The cluster answered: clear its failure state; its STALE labs await their next verdict."""
    if not cluster.reachable:
        LabInstance.objects.filter(cluster=cluster, status=Status.STALE).update(
            status=Status.UNKNOWN, status_changed_at=now
        )
    Cluster.objects.filter(pk=cluster.pk).update(
        reachable=True,
        unreachable_since=None,
        last_error="",
        consecutive_failures=0,
        last_seen_at=now,
    )
    cluster.reachable, cluster.consecutive_failures = True, 0


def cluster_mark_unreachable(*, cluster: Cluster, error: str, now: datetime) -> None:
    """The cluster failed: record it and show its labs STALE, never healthy or failed."""
    Cluster.objects.filter(pk=cluster.pk).update(
        reachable=False,
        unreachable_since=cluster.unreachable_since or now,
        last_error=error[:2000],
        consecutive_failures=F("consecutive_failures") + 1,
    )
    LabInstance.objects.filter(cluster=cluster, deleted_at__isnull=True).exclude(
        status=Status.STALE
    ).update(status=Status.STALE, status_changed_at=now)
    cluster.refresh_from_db()


def scan_run_execute(
    *,
    cluster: Cluster,
    tier: int,
    now: datetime | None = None,
    force: bool = False,
    on_progress: Callable[[ScanRun], None] | None = None,
    tier_function: Callable[[ScanContext], object] | None = None,
) -> ScanRun:
    """Run one tier against one cluster: start → collect → evaluate → record → finish.

    Cluster faults (timeouts, refusals, 401, 5xx, malformed JSON) end the run FAILED and mark
    the cluster; they are never raised. A cluster in backoff is not contacted (run SKIPPED)
    unless `force`. `on_progress` is called with the run after each step (command-line display).
    """
    now = now or timezone.now()
    run = ScanRun.objects.create(cluster=cluster, tier=tier, started_at=now)
    retry_at = None if force else cluster_retry_at(cluster=cluster)
    if retry_at is not None and now < retry_at:
        return _finish(run, ScanRun.Status.SKIPPED, started=time.perf_counter())
    started = time.perf_counter()
    try:
        api = api_client_for(cluster)
        with api:
            (tier_function or TIER_FUNCTIONS[tier])(
                ScanContext(run=run, cluster=cluster, api=api, now=now, on_progress=on_progress)
            )
    except ClusterAccessError as exc:
        error = redact_text(str(exc))  # a cluster's own error text may carry credentials
        run.errors = [*run.errors, error]
        run.error_kind = exc.kind
        cluster_mark_unreachable(cluster=cluster, error=error, now=timezone.now())
        return _finish(run, ScanRun.Status.FAILED, started=started)
    except Exception as exc:
        run.errors = [*run.errors, redact_text(f"internal error: {exc!r}")]
        _finish(run, ScanRun.Status.FAILED, started=started)
        raise
    cluster_mark_reachable(cluster=cluster, now=timezone.now())
    return _finish(run, ScanRun.Status.SUCCEEDED, started=started)


def namespaces_rescan(*, cluster: Cluster, namespaces: Collection[str]) -> ScanRun:
    """Full evidence of a few namespaces a watch saw change, recorded as a tier-2 run."""
    refresh = partial(tiers.namespaces_refresh, changed=namespaces)
    return scan_run_execute(cluster=cluster, tier=2, force=True, tier_function=refresh)


def _finish(run: ScanRun, status: str, *, started: float) -> ScanRun:
    # The fleet overview shows reachability, nodes and last scans.
    realtime.fleet_changed_on_commit()
    run.status = status
    run.finished_at = timezone.now()
    run.duration_ms = (time.perf_counter() - started) * 1000
    run.error_count = len(run.errors)
    run.phase = "done"
    with transaction.atomic():
        run.save(
            update_fields=[
                "status",
                "finished_at",
                "duration_ms",
                "errors",
                "error_count",
                "error_kind",
                "phase",
                "steps_done",
                "steps_total",
                "objects_read",
                "namespaces_seen",
                "namespaces_evaluated",
            ]
        )
        _count(run)
    return run


def _count(run: ScanRun) -> None:
    """The durable totals `/metrics` exports: runs by outcome, durations of the runs that ran."""
    labels = {"cluster": run.cluster.name, "tier": str(run.tier)}
    counters.counter_add("stargate_scans", {**labels, "status": run.status})
    if run.status != ScanRun.Status.SKIPPED and run.duration_ms is not None:
        seconds = run.duration_ms / 1000
        counters.histogram_observe(
            "stargate_scan_duration_seconds", seconds, labels, counters.SCAN_BUCKETS
        )


def clusters_scan(
    *,
    tier: int,
    clusters: Iterable[Cluster] | None = None,
    max_workers: int = 8,
    on_done: Callable[[ScanRun], None] | None = None,
) -> list[ScanRun]:
    """Scan several clusters at once, one thread each, so a hanging cluster delays no other.
    `on_done` is called (from the caller's thread) as each cluster finishes."""
    targets = list(clusters if clusters is not None else Cluster.objects.filter(enabled=True))
    if not targets:
        return []
    runs: list[ScanRun] = []
    with ThreadPoolExecutor(max_workers=min(max_workers, len(targets))) as pool:
        futures = [pool.submit(_scan_in_thread, cluster, tier) for cluster in targets]
        for future in as_completed(futures):
            runs.append(future.result())
            if on_done is not None:
                on_done(runs[-1])
    return runs


def _scan_in_thread(cluster: Cluster, tier: int) -> ScanRun:
    close_old_connections()
    try:
        return scan_run_execute(cluster=cluster, tier=tier)
    finally:
        connections.close_all()
