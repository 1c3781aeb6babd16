from __future__ import annotations

import ast

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from labs.models import Cluster

pytestmark = pytest.mark.django_db


def make_clusters(count: int) -> list[Cluster]:
    return [
        Cluster.objects.create(
            name=f"c{i}", api_url=f"https://c{i}.example.com:6443", tier3_interval=10 + i
        )
        for i in range(count)
    ]


def test_it_creates_one_schedule_per_cluster_and_tier() -> None:
    clusters = make_clusters(2)
    call_command("setup_schedules")
    schedules = {s.name: s for s in Schedule.objects.filter(name__startswith="scan-")}
    assert len(schedules) == 8
    tier3 = schedules["scan-c1-tier3"]
    assert tier3.func == "scanning.tasks.scan_cluster"
    assert ast.literal_eval(tier3.kwargs) == {"cluster_id": clusters[1].pk, "tier": 3}
    assert tier3.minutes == 11


def test_it_staggers_clusters() -> None:
    make_clusters(4)
    call_command("setup_schedules")
    runs = sorted(s.next_run for s in Schedule.objects.filter(name__endswith="-tier1"))
    assert len(set(runs)) == 4
    assert (runs[-1] - runs[0]).total_seconds() >= 3 * 60  # 3/4 of the 5-minute interval


def test_it_is_idempotent_and_follows_changes() -> None:
    clusters = make_clusters(2)
    call_command("setup_schedules")
    before = {s.name: s.next_run for s in Schedule.objects.all()}
    call_command("setup_schedules")
    assert {s.name: s.next_run for s in Schedule.objects.all()} == before
    clusters[0].tier1_interval = 2
    clusters[0].save()
    clusters[1].enabled = False
    clusters[1].save()
    call_command("setup_schedules")
    assert Schedule.objects.get(name="scan-c0-tier1").minutes == 2
    assert not Schedule.objects.filter(name__startswith="scan-c1-").exists()
