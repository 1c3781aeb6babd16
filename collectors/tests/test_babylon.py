"""Babylon/Poolboy through the kubernetes client against the Kubernetes API simulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from collectors.models import LabIdentity, PoolSnapshot, ProvisionRecord, SourceState
from collectors.runner import source_run
from collectors.sources.babylon import hubs
from labs.models import Cluster, Lab, LabInstance
from scanning.tests.fixtures_scan import cluster_row
from simulator.catalog import EXHAUSTED_ITEM, LOW_ITEM, full_name
from simulator.generator import FleetSpec, generate_fleet
from simulator.tests.conftest import simulator_server  # noqa: F401 (fixture)

from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(simulator_server: Any, settings: Any) -> Iterator[tuple[Any, Cluster, Any]]:  # noqa: F811
    settings.COLLECTORS = {"babylon": {"retries": 1, "backoff_seconds": 0}}
    settings.COLLECTORS_MANIFEST = "/nonexistent/services.json"
    settings.K8S_READ_TIMEOUT = 1.0
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=8, failure_rate=0.3, seed=7, now=NOW))
    sim = simulator_server(fleet=fleet)
    name = fleet.clusters[0]
    yield sim, cluster_row(sim, name), fleet


def test_pools_subjects_and_identities_are_read(hub: tuple[Any, Cluster, Any]) -> None:
    _, cluster, fleet = hub
    lab = fleet.labs[0]
    guessed = Lab.objects.create(catalog_item="guessed-from-suffix")
    instance = LabInstance.objects.create(
        cluster=cluster, namespace=lab.namespace, guid=lab.guid, lab=guessed
    )
    run = source_run("babylon", now=NOW)
    assert run is not None and run.ok, run.error

    exhausted = PoolSnapshot.objects.get(pool_name=EXHAUSTED_ITEM)
    assert (exhausted.available, exhausted.min_available, exhausted.exhausted) == (0, 3, True)
    assert PoolSnapshot.objects.get(pool_name=LOW_ITEM).low
    assert run.summary["pools"]["status"] == "critical"
    assert {"name": EXHAUSTED_ITEM, "min": 3} in run.summary["pools"]["exhausted"]

    record = ProvisionRecord.objects.get(guid=lab.guid)
    assert record.catalog_item == full_name(lab.catalog_item)
    assert record.workload_cluster == cluster and record.lab_namespace == lab.namespace
    assert record.agnosticv_path.endswith("/prod.yaml")
    assert "openshift_cluster_admin_password" not in record.provision_data
    assert run.summary["provisioning"]["total"] == ProvisionRecord.objects.count()

    identity = LabIdentity.objects.get(namespace=lab.namespace)
    assert identity.resolved_by == "claim"
    assert identity.catalog_item == full_name(lab.catalog_item)
    assert identity.catalog_short_name == lab.catalog_item
    instance.refresh_from_db()
    assert instance.lab.catalog_item == lab.catalog_item  # the claim wins over the suffix

    # every cycle writes a snapshot per pool
    assert source_run("babylon", now=NOW).ok  # type: ignore[union-attr]
    assert PoolSnapshot.objects.filter(pool_name=EXHAUSTED_ITEM).count() == 2
    assert "workshop_names" in SourceState.objects.get(name="babylon").summary


def test_a_marked_hub_is_the_only_hub(hub: tuple[Any, Cluster, Any]) -> None:
    _, cluster, _ = hub
    other = Cluster.objects.create(name="other", api_url="https://127.0.0.1:9")
    assert set(hubs()) == {cluster, other}
    cluster.is_hub = True
    cluster.save()
    assert list(hubs()) == [cluster]


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("error_500", "http_500"),
        ("unauthorized", "auth"),
        ("malformed_json", "parse"),
        ("refused", "connection"),
        ("hang", "timeout"),
    ],
)
def test_hub_faults_are_classified(hub: tuple[Any, Cluster, Any], fault: str, kind: str) -> None:
    sim, cluster, _ = hub
    assert source_run("babylon", now=NOW).ok  # type: ignore[union-attr]
    count = PoolSnapshot.objects.count()
    sim.inject(cluster.name, fault, 3.0 if fault == "hang" else None)
    try:
        run = source_run("babylon", now=NOW)
    finally:
        sim.heal(cluster.name)
    assert run is not None and not run.ok and run.error_kind == kind, run.error
    assert PoolSnapshot.objects.count() == count  # nothing written, the last data kept
    assert ProvisionRecord.objects.exists()


def test_a_cycle_past_its_time_limit_leaves_the_other_hubs_for_the_next(
    hub: tuple[Any, Cluster, Any], settings: Any
) -> None:
    Cluster.objects.create(name="zz-late", api_url="https://127.0.0.1:9")
    settings.COLLECTORS = {"babylon": {"retries": 0, "cycle_limit_seconds": 0}}
    run = source_run("babylon", now=NOW)
    assert run is not None and run.ok  # the first hub was read
    assert "time limit" in run.summary["hub_errors"]["zz-late"]
    assert PoolSnapshot.objects.filter(hub__name="sim-01").exists()
