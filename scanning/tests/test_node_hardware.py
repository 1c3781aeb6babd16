"""Tier 1 stores each node's hardware class from the configured node label (the substrate
router's input, contract 23.6)."""

from __future__ import annotations

from typing import Any

import pytest

from scanning.models import NodeSnapshot, ScanRun
from scanning.nodes import node_facts
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row, node
from simulator import Store
from simulator.generator import FleetSpec, generate_fleet
from simulator.tests.conftest import simulator_server  # noqa: F401 (fixture)

LABEL = "example.com/accelerator"


def labelled(name: str, value: str) -> dict[str, Any]:
    row = node(name)
    row["metadata"]["labels"] = {LABEL: value, "kubernetes.io/hostname": name}
    return row


def test_the_class_is_the_label_value_lower_cased_and_empty_without_it() -> None:
    assert node_facts(labelled("a", " Gaudi "), None, LABEL).hardware_class == "gaudi"
    assert node_facts(labelled("a", "xeon6"), None, "other/label").hardware_class == ""
    assert node_facts(node("b"), None, LABEL).hardware_class == ""
    assert node_facts(labelled("a", "xeon6"), None).hardware_class == ""  # no label configured


@pytest.mark.django_db
def test_tier_1_stores_the_configured_label(simulator_server: Any, settings: Any) -> None:  # noqa: F811
    settings.NODE_HARDWARE_LABEL = LABEL
    store = Store("c1")
    store.load([labelled("n1", "gaudi"), labelled("n2", "XEON6"), node("n3")])
    sim = simulator_server(stores={"c1": store})
    row = cluster_row(sim, "c1")
    run = scan_run_execute(cluster=row, tier=1)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    classes = dict(NodeSnapshot.objects.filter(cluster=row).values_list("name", "hardware_class"))
    assert classes == {"n1": "gaudi", "n2": "xeon6", "n3": ""}


@pytest.mark.django_db
def test_the_generated_fleet_labels_one_gaudi_worker_and_xeon6_for_the_rest(
    simulator_server: Any,  # noqa: F811
) -> None:
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=8, seed=7))
    sim = simulator_server(fleet=fleet)
    row = cluster_row(sim, fleet.clusters[0])
    run = scan_run_execute(cluster=row, tier=1)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    classes = dict(NodeSnapshot.objects.filter(cluster=row).values_list("name", "hardware_class"))
    assert classes == {
        "master-0": "",
        "master-1": "",
        "master-2": "",
        "worker-0": "gaudi",
        "worker-1": "xeon6",
        "worker-2": "xeon6",
    }
