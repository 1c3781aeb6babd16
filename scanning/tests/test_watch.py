"""Watch mode against the simulator's watch support: a crashloop reaches its verdict in seconds,
through cut streams, and a 410 Gone re-lists."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from labs.models import Cluster, LabInstance, Status
from scanning import kinds
from scanning.client import api_client_for
from scanning.models import ScanRun
from scanning.services import scan_run_execute
from scanning.watch import (
    MAX_NAMESPACES_PER_FLUSH,
    ClusterWatcher,
    Gone,
    list_version,
    watch_once,
)
from simulator.fleet import FleetSimulator
from simulator.generator import FleetSpec, generate_fleet

pytestmark = pytest.mark.django_db

CLUSTER = "sim-01"


@pytest.fixture
def fleet_sim(simulator_server: Callable[..., Any], settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path / "data"
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=3, failure_rate=0.0, seed=3))
    return simulator_server(fleet=fleet)


@pytest.fixture
def cluster(fleet_sim: FleetSimulator) -> Cluster:
    cluster = Cluster.objects.create(
        name=CLUSTER,
        api_url=fleet_sim.url(CLUSTER),
        kubeconfig_path=str(fleet_sim.kubeconfig_path(CLUSTER)),
    )
    assert scan_run_execute(cluster=cluster, tier=3).status == ScanRun.Status.SUCCEEDED
    return cluster


@pytest.fixture
def watcher(cluster: Cluster) -> Iterator[ClusterWatcher]:
    """The pods stream in a thread; flushes (which write to the database) in the test's."""
    watcher = ClusterWatcher(cluster, seconds=2)
    thread = threading.Thread(target=watcher.stream, args=(kinds.PODS,), daemon=True)
    thread.start()
    time.sleep(0.5)  # the stream has listed and is watching
    yield watcher
    watcher.stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()


def lab(sim: FleetSimulator) -> str:
    return sorted(record.namespace for record in sim.fleet.labs)[0]


def flush_until_failed(watcher: ClusterWatcher, namespace: str, seconds: float = 10) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        watcher.flush()
        instance = LabInstance.objects.get(namespace=namespace)
        if instance.status == Status.FAILED:
            assert instance.failure_class == "crashloop"
            return time.monotonic() - started
        time.sleep(0.3)
    raise AssertionError(f"{namespace} not failed after {seconds} s")


def test_it_brings_a_crashloop_to_its_verdict_in_seconds(
    fleet_sim: FleetSimulator, watcher: ClusterWatcher
) -> None:
    namespace = lab(fleet_sim)
    assert LabInstance.objects.get(namespace=namespace).status != Status.FAILED
    fleet_sim.break_lab(CLUSTER, namespace, "crashloop")
    assert flush_until_failed(watcher, namespace) < 5
    assert ScanRun.objects.filter(tier=3).count() == 1  # no full scan did it
    assert ScanRun.objects.filter(tier=2, namespaces_seen=1).exists()


def test_it_reconnects_when_the_stream_is_cut(
    fleet_sim: FleetSimulator, watcher: ClusterWatcher
) -> None:
    fleet_sim.inject(CLUSTER, "watch_cut", 1)  # every stream cut after one event
    namespace = lab(fleet_sim)
    fleet_sim.break_lab(CLUSTER, namespace, "crashloop")
    assert flush_until_failed(watcher, namespace) < 8


def test_it_re_lists_after_410_gone(fleet_sim: FleetSimulator, cluster: Cluster) -> None:
    with api_client_for(cluster) as api:
        version = list_version(api, kinds.PODS)
        fleet_sim.break_lab(CLUSTER, lab(fleet_sim), "crashloop")
        fleet_sim.store(CLUSTER).compact()
        with pytest.raises(Gone):
            watch_once(api, kinds.PODS, version, lambda namespace: None, seconds=1)

    watcher = ClusterWatcher(cluster)
    watcher.resync = True  # what the stream sets on Gone
    run = watcher.flush()
    assert run is not None and (run.tier, run.status) == (2, ScanRun.Status.SUCCEEDED)
    assert LabInstance.objects.get(namespace=lab(fleet_sim)).status == Status.FAILED


def test_it_watches_enabled_clusters_and_drops_disabled_ones(cluster: Cluster) -> None:
    from scanning.management.commands.watch_clusters import Command

    watching: dict[int, Any] = {}
    Command()._sync(watching)
    (_, watcher, thread) = watching[cluster.pk]
    assert thread.is_alive()

    Cluster.objects.filter(pk=cluster.pk).update(enabled=False)
    Command()._sync(watching)
    assert watching == {} and watcher.stop.is_set()
    thread.join(timeout=10)  # bookmarks come every second: the stop is seen at once
    assert not thread.is_alive()


def test_it_evaluates_a_bounded_share_of_changed_namespaces_per_flush(cluster: Cluster) -> None:
    watcher = ClusterWatcher(cluster)
    for i in range(MAX_NAMESPACES_PER_FLUSH + 5):
        watcher.mark(f"sandbox-{i:05d}-gone")  # not on the cluster: nothing to read
    watcher.flush()
    assert len(watcher.dirty) == 5
    watcher.flush()
    assert watcher.dirty == set()
