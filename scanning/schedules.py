"""The scan schedules, declared in one place and synced by `manage.py setup_schedules`.

One django-q2 schedule per enabled cluster and tier, every `Cluster.tier<N>_interval` minutes.
Clusters are staggered: each starts at a different offset within its interval, so eight
clusters do not all hit their APIs (and the workers) in the same second.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from labs.models import Cluster
from stargate.schedules import ScheduleSpec

TIERS = (1, 2, 3, 4)
NAME_PREFIX = "scan-"
TASK = "scanning.tasks.scan_cluster"


def schedule_name(cluster: Cluster, tier: int) -> str:
    return f"{NAME_PREFIX}{cluster.name}-tier{tier}"


def cluster_interval(cluster: Cluster, tier: int) -> int:
    return int(getattr(cluster, f"tier{tier}_interval"))


def schedule_specs(clusters: list[Cluster], now: datetime) -> list[ScheduleSpec]:
    """Every cluster and tier, the i-th cluster offset by i/n of each interval."""
    specs = []
    for index, cluster in enumerate(clusters):
        for tier in TIERS:
            minutes = cluster_interval(cluster, tier)
            offset = timedelta(seconds=minutes * 60 * index / len(clusters))
            specs.append(
                ScheduleSpec(
                    name=schedule_name(cluster, tier),
                    func=TASK,
                    kwargs={"cluster_id": cluster.pk, "tier": tier},
                    minutes=minutes,
                    next_run=now + offset,
                )
            )
    return specs
