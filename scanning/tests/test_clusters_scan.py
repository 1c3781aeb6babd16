"""Three healthy clusters keep their schedule and freshness while a fourth hangs."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.management import call_command

from labs.models import Cluster, LabInstance, Status
from scanning.models import ScanRun
from scanning.services import clusters_scan
from scanning.tests.fixtures_scan import cluster_row, lab_pod, namespace_obj
from simulator import Store

pytestmark = pytest.mark.django_db(transaction=True)

HANG = 4.0  # seconds the sick cluster holds each request; the read timeout is 1 s


def store(name: str) -> Store:
    result = Store(name)
    labs = [f"sandbox-{name}x{i}-demo" for i in range(3)]
    result.load([namespace_obj(ns) for ns in labs])
    result.load(lab_pod(ns, f"app-{j}") for ns in labs for j in range(4))
    return result


@pytest.fixture
def fleet(simulator_server: Any, settings: Any) -> tuple[Any, list[Cluster]]:
    settings.K8S_READ_TIMEOUT = 1
    names = ["h1", "h2", "h3", "sick"]
    sim = simulator_server(stores={name: store(name) for name in names})
    return sim, [cluster_row(sim, name) for name in names]


def test_it_keeps_healthy_clusters_fresh_while_one_hangs(fleet: tuple[Any, list[Cluster]]) -> None:
    sim, _ = fleet
    clusters_scan(tier=3)
    sim.inject("sick", "hang", HANG)

    for _ in range(2):  # two scheduled rounds
        started = time.monotonic()
        runs = {run.cluster.name: run for run in clusters_scan(tier=3)}
        elapsed = time.monotonic() - started
        assert elapsed < HANG, "the round waited for the hanging cluster"
        for name in ("h1", "h2", "h3"):
            assert runs[name].status == ScanRun.Status.SUCCEEDED, runs[name].errors
            assert runs[name].duration_ms is not None and runs[name].duration_ms < 1000 * HANG / 2

    # First round: timed out and marked; second round: backing off, not contacted.
    sick_runs = list(ScanRun.objects.filter(cluster__name="sick").order_by("started_at"))
    assert [r.status for r in sick_runs[-2:]] == [ScanRun.Status.FAILED, ScanRun.Status.SKIPPED]
    assert sick_runs[-2].error_kind == "timeout"
    sick = Cluster.objects.get(name="sick")
    assert not sick.reachable
    assert set(LabInstance.objects.filter(cluster=sick).values_list("status", flat=True)) == {
        Status.STALE
    }
    for cluster in Cluster.objects.exclude(name="sick"):
        assert cluster.reachable and cluster.last_seen_at is not None
        assert Status.STALE not in set(cluster.lab_instances.values_list("status", flat=True))


def test_it_summarises_scan_all(fleet: tuple[Any, list[Cluster]], capsys: Any) -> None:
    sim, _ = fleet
    sim.inject("sick", "error_500")
    call_command("scan_all", "--tier", "1")
    out = capsys.readouterr().out
    assert "3/4 clusters scanned" in out
    assert "server_error" in out
