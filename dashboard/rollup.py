"""The rollups behind the charts, written every few minutes by a worker (`dashboard.tasks`).

A `StatusRollup` row counts the labs of one (hour, cluster, team) that were failed, or warning,
at some moment of the hour: those in that status now whose change came before the hour's end,
and those whose lab-level state change entered or left the status within the hour (so a lab
that failed and recovered between two runs counts too). Each run recomputes the current and the
previous hour, and keeps the larger of the stored and the new counts (a run late in an hour
saw labs that have recovered since). Node usage is sampled from the latest node snapshots.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from dashboard.models import NodeUsageSample, StatusRollup
from labs import selectors as lab_selectors
from labs.models import Status
from rubrics_app import selectors as rubric_selectors
from scanning import selectors as scan_selectors
from stargate import realtime

HOUR = timedelta(hours=1)
SAMPLE_STEP = timedelta(minutes=5)
SAMPLE_FRESH = timedelta(minutes=15)  # an older node snapshot is a node no longer scanned
COUNTED = (Status.FAILED, Status.WARN)
FLEET_CHARTS = "fleet-charts"  # the live topic: the fleet overview's charts

Key = tuple[int, int | None]  # (cluster id, team id)


@dataclass(frozen=True)
class HourCounts:
    failed: dict[Key, set[int]]
    warn: dict[Key, set[int]]
    labs: dict[Key, int]

    def groups(self) -> set[Key]:
        return {*self.failed, *self.warn, *self.labs}

    def row(self, key: Key) -> tuple[int, int, int]:
        return len(self.failed.get(key, ())), len(self.warn.get(key, ())), self.labs.get(key, 0)


def hour_start(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def hour_counts(start: datetime, end: datetime, now: datetime) -> dict[datetime, HourCounts]:
    """Counts for the hours from `start` to `end` (exclusive; hour starts), read at `now`:
    three queries whatever the number of hours."""
    hours = [start + HOUR * i for i in range(int((end - start) / HOUR))]
    counts = {hour: HourCounts(defaultdict(set), defaultdict(set), {}) for hour in hours}
    live = lab_selectors.live_lab_instances().order_by()
    current = hour_start(now)
    if current in counts:
        totals = live.values_list("cluster_id", "lab__team_id").annotate(n=Count("id"))
        counts[current].labs.update({(c, t): n for c, t, n in totals})
    bad_now = live.filter(status__in=COUNTED).values_list(
        "id", "cluster_id", "lab__team_id", "status", "status_changed_at"
    )
    for pk, cluster_id, team_id, status, since in bad_now:
        for hour in hours:
            if since is None or since < hour + HOUR:
                getattr(counts[hour], status)[(cluster_id, team_id)].add(pk)
    changes = rubric_selectors.lab_level_changes_since(since=start, statuses=COUNTED)
    for pk, cluster_id, team_id, from_status, to_status, at in changes:
        hour = hour_start(at)
        if hour in counts:
            for status in {from_status, to_status} & set(COUNTED):
                getattr(counts[hour], status)[(cluster_id, team_id)].add(pk)
    return counts


@transaction.atomic
def status_rollup_record(*, now: datetime | None = None) -> int:
    """Write the current and the previous hour's rollup rows; returns the rows written. Open
    fleet overviews redraw their charts after the commit."""
    now = now or timezone.now()
    current = hour_start(now)
    counts = hour_counts(current - HOUR, current + HOUR, now)
    existing = {
        (row.hour, row.cluster_id, row.team_id): row
        for row in StatusRollup.objects.select_for_update().filter(hour__in=list(counts))
    }
    created, changed = [], []
    for hour, hour_rows in counts.items():
        for key in hour_rows.groups():
            failed, warn, labs = hour_rows.row(key)
            row = existing.get((hour, *key))
            if row is None:
                created.append(
                    StatusRollup(
                        hour=hour,
                        cluster_id=key[0],
                        team_id=key[1],
                        failed=failed,
                        warn=warn,
                        labs=labs,
                        updated_at=now,
                    )
                )
            elif failed > row.failed or warn > row.warn or labs > row.labs:
                row.failed, row.warn = max(row.failed, failed), max(row.warn, warn)
                row.labs, row.updated_at = max(row.labs, labs), now
                changed.append(row)
    StatusRollup.objects.bulk_create(created)
    StatusRollup.objects.bulk_update(changed, ["failed", "warn", "labs", "updated_at"])
    realtime.publish_on_commit(FLEET_CHARTS)
    return len(created) + len(changed)


def node_usage_record(*, now: datetime | None = None) -> int:
    """Sample every freshly scanned node's CPU and memory use, once per `SAMPLE_STEP`."""
    now = now or timezone.now()
    at = now - (now - now.replace(minute=0, second=0, microsecond=0)) % SAMPLE_STEP
    samples = [
        NodeUsageSample(
            cluster_id=node["cluster_id"],
            node=node["node"],
            at=at,
            cpu_pct=node["cpu_pct"],
            memory_pct=node["memory_pct"],
        )
        for node in scan_selectors.node_usage()
        if now - node["collected_at"] <= SAMPLE_FRESH
    ]
    NodeUsageSample.objects.bulk_create(samples, ignore_conflicts=True)
    return len(samples)
