"""The dashboard's charts: data read in one query per chart, drawn by `stargate.lib.charts`.

The fleet overview's charts come from the hourly rollup (`dashboard.rollup`), are cached like
the fleet parts, and are pushed to open overviews (topic `fleet-charts`) whenever a worker has
written the rollup. Cluster and lab charts are drawn with their page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from dashboard.models import NodeUsageSample, StatusRollup
from labs.models import Cluster, LabInstance
from labs.selectors import Audience
from rubrics_app import selectors as rubric_selectors
from scanning import selectors as scan_selectors
from stargate.lib.charts.lines import time_chart
from stargate.lib.charts.strip import status_strip
from stargate.lib.charts.svg import Segment, Series, StripRow

FLEET_CHARTS_KEY = "dashboard:fleet-charts:v2"  # + the audience's key
FLEET_CHARTS_SECONDS = 15 * 60  # the rollup is written every 5 minutes
FLEET_CHARTS_TEMPLATE = "dashboard/charts/fleet.html"
DAY, WEEK, HOUR = timedelta(days=1), timedelta(days=7), timedelta(hours=1)
BAD = frozenset({"failed", "warn"})
NODE_KINDS = ("s0", "s1", "s2", "s3", "s4", "s5")

Points = list[tuple[datetime, float]]


def status_rollups_for(audience: Audience) -> QuerySet[StatusRollup]:
    """The rollup rows `audience` may see: every row for the platform operators, its teams'
    rows for a team member (rows of labs without a team are the operators' only)."""
    if audience.everything:
        return StatusRollup.objects.all()
    return StatusRollup.objects.filter(team_id__in=audience.team_ids)


def _charts_key(audience: Audience) -> str:
    return f"{FLEET_CHARTS_KEY}:{audience.key}"


def fleet_charts(audience: Audience) -> SafeString:
    """The fleet overview's charts for `audience`, cached per audience; drawn when the cache
    has none (one query)."""
    html: SafeString | None = cache.get(_charts_key(audience))
    if html is None:
        html = fleet_charts_render(status_rollups_for(audience))
        cache.add(_charts_key(audience), html, FLEET_CHARTS_SECONDS)
    return html


def fleet_charts_refresh(audience: Audience) -> SafeString:
    """Draw `audience`'s charts anew and store them; call with committed state (the rollup's
    push)."""
    html = fleet_charts_render(status_rollups_for(audience))
    cache.set(_charts_key(audience), html, FLEET_CHARTS_SECONDS)
    return html


def fleet_charts_forget(audiences: list[Audience] | None = None) -> None:
    """Drop the cached charts of `audiences` (default: every audience watching)."""
    if audiences is None:
        from labs.selectors import audiences_watching

        audiences = audiences_watching()
    cache.delete_many([_charts_key(audience) for audience in audiences])


def fleet_charts_render(rollups: QuerySet[StatusRollup], now: datetime | None = None) -> SafeString:
    now = now or timezone.now()
    end = now.replace(minute=0, second=0, microsecond=0) + HOUR
    rows = (
        rollups.filter(hour__gte=end - WEEK)
        .values_list("hour", "cluster_id", "cluster__name")
        .annotate(failed=Sum("failed"), warn=Sum("warn"))
        .order_by("hour")
    )
    fleet: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
    clusters: dict[str, dict[datetime, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0])
    )
    for hour, _, name, failed, warn in rows:
        for totals in (fleet[hour], clusters[name][hour]):
            totals[0] += failed
            totals[1] += warn
    day, week = "Labs failed and warning, last 24 hours", "Labs failed and warning, last 7 days"
    overall = [
        (day, failed_warn_chart("fleet-chart-day", day, fleet, end - DAY, end)),
        (week, failed_warn_chart("fleet-chart-week", week, fleet, end - WEEK, end)),
    ]
    per_cluster = [
        (
            name,
            failed_warn_chart(
                f"fleet-chart-cluster-{index}",
                f"{name}: labs failed and warning, last 24 hours",
                by_hour,
                end - DAY,
                end,
                width=420,
                height=150,
            ),
        )
        for index, (name, by_hour) in enumerate(sorted(clusters.items()))
    ]
    context = {"overall": overall, "clusters": per_cluster}
    return render_to_string(f"{FLEET_CHARTS_TEMPLATE}#fleet-charts", context)


def failed_warn_chart(
    chart_id: str,
    title: str,
    by_hour: dict[datetime, list[int]],
    start: datetime,
    end: datetime,
    width: int = 640,
    height: int = 200,
) -> SafeString:
    hours = sorted(hour for hour in by_hour if hour >= start)
    series = [
        Series("Failed", "failed", [(hour, float(by_hour[hour][0])) for hour in hours]),
        Series("Warn", "warn", [(hour, float(by_hour[hour][1])) for hour in hours]),
    ]
    return time_chart(
        chart_id=chart_id,
        title=title,
        series=series,
        start=start,
        end=end,
        area=BAD,
        width=width,
        height=height,
    )


def cluster_charts(cluster: Cluster, now: datetime | None = None) -> dict[str, SafeString]:
    """Node CPU and memory use (one query) and scan durations per tier (one query), last 24 h."""
    now = now or timezone.now()
    start = now - DAY
    samples = NodeUsageSample.objects.filter(cluster=cluster, at__gte=start).order_by("node", "at")
    cpu: dict[str, Points] = defaultdict(list)
    memory: dict[str, Points] = defaultdict(list)
    for node, at, cpu_pct, memory_pct in samples.values_list("node", "at", "cpu_pct", "memory_pct"):
        if cpu_pct is not None:
            cpu[node].append((at, cpu_pct))
        if memory_pct is not None:
            memory[node].append((at, memory_pct))
    tiers: dict[int, Points] = defaultdict(list)
    for tier, at, duration_ms in scan_selectors.scan_durations(cluster, since=start):
        tiers[tier].append((at, duration_ms / 1000))
    return {
        "cpu": time_chart(
            chart_id="node-cpu-chart",
            title="Node CPU use, last 24 hours",
            series=node_series(cpu),
            start=start,
            end=now,
            unit=" %",
            y_max=100.0,
        ),
        "memory": time_chart(
            chart_id="node-memory-chart",
            title="Node memory use, last 24 hours",
            series=node_series(memory),
            start=start,
            end=now,
            unit=" %",
            y_max=100.0,
        ),
        "scans": time_chart(
            chart_id="scan-duration-chart",
            title="Scan durations per tier, last 24 hours",
            series=[
                Series(f"Tier {tier}", f"tier{tier}", points)
                for tier, points in sorted(tiers.items())
            ],
            start=start,
            end=now,
            unit=" s",
        ),
    }


def node_series(points: dict[str, Points]) -> list[Series]:
    return [
        Series(node, NODE_KINDS[index % len(NODE_KINDS)], node_points)
        for index, (node, node_points) in enumerate(sorted(points.items()))
    ]


def lab_status_strip(
    instance: LabInstance, evaluations: Iterable[Any], now: datetime | None = None
) -> SafeString:
    """The lab's status, and each rubric's, over the last 24 hours (one query)."""
    now = now or timezone.now()
    start = now - DAY
    current = {"": str(instance.status), **{e.rubric_id: str(e.outcome) for e in evaluations}}
    changes: dict[str, list[Any]] = defaultdict(list)
    for change in rubric_selectors.lab_instance_changes_since(lab_instance=instance, since=start):
        changes[change.rubric_id].append(change)
    rows = [
        StripRow(
            "lab" if rubric == "" else rubric, strip_segments(changes[rubric], status, start, now)
        )
        for rubric, status in sorted(current.items())
    ]
    return status_strip(
        chart_id=f"lab-{instance.pk}-strip-chart",
        title="Status over the last 24 hours, lab and rubric by rubric",
        rows=rows,
        start=start,
        end=now,
    )


def strip_segments(
    changes: list[Any], status: str, start: datetime, end: datetime
) -> list[Segment]:
    """Segments from `start` to `end` out of the changes (oldest first) and the status now: before
    the first change, the status it left (none: the lab did not exist yet)."""
    if not changes:
        return [Segment(start, end, status)]
    segments = []
    if changes[0].from_status:
        segments.append(Segment(start, changes[0].at, changes[0].from_status))
    for change, following in zip(changes, [*changes[1:], None], strict=True):
        segments.append(Segment(change.at, following.at if following else end, change.to_status))
    return segments
