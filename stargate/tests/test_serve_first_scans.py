"""`serve` in demo mode: once the simulated fleet has registered, each simulated cluster is
scanned at once (tiers 1 and 3), not at its first staggered schedule."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labs.models import Cluster, LabInstance
from scanning.models import ScanRun
from simulator.fleet import FleetSimulator, fleet_simulator
from simulator.generator import FleetSpec, generate_fleet
from simulator.registry import fleet_register
from stargate.management.commands.serve import first_scans_enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[FleetSimulator]:
    fleet = generate_fleet(FleetSpec(clusters=2, namespaces=3, seed=5))
    sim = fleet_simulator(fleet, directory=tmp_path / "sim")
    yield sim
    sim.stop()


def test_it_scans_every_registered_simulated_cluster_at_once(sim: FleetSimulator) -> None:
    fleet_register(sim=sim)
    Cluster.objects.create(name="ocp-prod-1", api_url="https://127.0.0.1:9")  # not simulated

    assert first_scans_enqueue() == 2  # the workers run it synchronously in tests

    runs = ScanRun.objects.values_list("cluster__name", "tier", "status")
    assert sorted(runs) == [
        (name, tier, ScanRun.Status.SUCCEEDED) for name in ("sim-01", "sim-02") for tier in (1, 3)
    ]
    assert not LabInstance.objects.filter(last_evaluated_at__isnull=True).exists()
