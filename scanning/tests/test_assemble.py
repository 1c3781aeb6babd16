"""One evidence assembly: a scan of any tier, a watch's re-scan and a one-lab read give a lab
the same full evidence (objects, cluster health, lab context, showroom probe)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from labs.models import Cluster, LabInstance
from scanning.assemble import lab_evidence_read
from scanning.models import LabEvidence, ScanRun
from scanning.services import namespaces_rescan, scan_run_execute
from simulator.fleet import FleetSimulator
from simulator.generator import FleetSpec, generate_fleet
from simulator.registry import control_file_write, simulator_dir

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
FULL = ("objects", "cluster_health", "lab", "showroom")


@pytest.fixture
def cluster(simulator_server: Callable[..., Any], settings: Any, tmp_path: Path) -> Cluster:
    settings.DATA_DIR = tmp_path / "data"
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=2, failure_rate=0.0, seed=5))
    sim: FleetSimulator = simulator_server(fleet=fleet)
    control_file_write(sim=sim, directory=simulator_dir())
    name = fleet.clusters[0]
    cluster = Cluster.objects.create(
        name=name,
        api_url=sim.url(name),
        kubeconfig_path=str(sim.kubeconfig_path(name)),
        labels={"simulated": "true"},
        simulated=True,
        insecure_lab=True,
    )
    for tier in (1, 3):
        assert scan_run_execute(cluster=cluster, tier=tier).status == ScanRun.Status.SUCCEEDED
    return cluster


def _comparable(evidence: Any) -> dict[str, Any]:
    """The evidence but the clock and the probe's timing."""
    showroom = {k: v for k, v in evidence["showroom"].items() if k != "response_ms"}
    return {**{k: evidence[k] for k in FULL}, "showroom": showroom}


def test_it_gives_a_one_lab_read_the_scans_full_evidence(cluster: Cluster) -> None:
    instance = LabInstance.objects.select_related("lab", "cluster").first()
    assert instance is not None
    stored = LabEvidence.objects.get(lab_instance=instance).evidence
    assert all(stored[key] for key in FULL)
    read = lab_evidence_read(lab_instance=instance)
    assert _comparable(read) == _comparable(stored)


def test_it_gives_a_watch_rescan_the_scans_full_evidence(cluster: Cluster) -> None:
    instance = LabInstance.objects.first()
    assert instance is not None
    LabEvidence.objects.all().delete()
    run = namespaces_rescan(cluster=cluster, namespaces=[instance.namespace])
    assert (run.status, run.namespaces_evaluated) == (ScanRun.Status.SUCCEEDED, 1)
    evidence = LabEvidence.objects.get(lab_instance=instance).evidence
    assert evidence["cluster_health"]["nodes_total"] > 0
    assert evidence["lab"]["catalog_item"] == instance.lab.catalog_item
    assert evidence["showroom"]["readyz_status"] == 200
