"""A generated fleet, served by the simulator and scanned for real: showroom probes, AnarchySubjects
linked to their labs, namespaces terminating or gone, each reaching its rubric and class."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dashboard.fleet import fleet_counts, fleet_forget
from labs.models import Cluster, LabInstance, Status
from labs.selectors import OPERATORS
from rubrics_app.models import Evaluation
from rubrics_app.showroom_probe import showroom_probe_run
from scanning.models import LabEvidence, ScanRun
from scanning.services import scan_run_execute
from scanning.showroom import probe_client
from simulator.controllers import SUBJECTS
from simulator.fleet import FleetSimulator
from simulator.generator import FleetSpec, generate_fleet
from simulator.registry import control_file_write, simulator_dir

pytestmark = pytest.mark.django_db

CLUSTER = "sim-01"


@pytest.fixture
def fleet_sim(
    simulator_server: Callable[..., Any], settings: Any, tmp_path: Path
) -> FleetSimulator:
    settings.DATA_DIR = tmp_path / "data"
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=3, failure_rate=0.0, seed=3))
    sim: FleetSimulator = simulator_server(fleet=fleet)
    control_file_write(sim=sim, directory=simulator_dir())
    return sim


@pytest.fixture
def cluster(fleet_sim: FleetSimulator) -> Cluster:
    return Cluster.objects.create(
        name=CLUSTER,
        api_url=fleet_sim.url(CLUSTER),
        kubeconfig_path=str(fleet_sim.kubeconfig_path(CLUSTER)),
        simulated=True,
    )


def scan(cluster: Cluster, tier: int = 3) -> None:
    run = scan_run_execute(cluster=cluster, tier=tier)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors


def first_lab(sim: FleetSimulator) -> str:
    return sorted(lab.namespace for lab in sim.fleet.labs)[0]


def failed_count() -> int:
    fleet_forget()
    return int(fleet_counts(OPERATORS).status[Status.FAILED])


def verdict(namespace: str, rubric: str) -> Evaluation:
    return Evaluation.objects.get(lab_instance__namespace=namespace, rubric_id=rubric)


def test_it_probes_healthy_showrooms_ready(fleet_sim: FleetSimulator, cluster: Cluster) -> None:
    scan(cluster)
    for lab in fleet_sim.fleet.labs:
        evaluation = verdict(lab.namespace, "showroom-healthy")
        assert evaluation.outcome == Status.READY, evaluation.reason
    evidence = LabEvidence.objects.get(lab_instance__namespace=first_lab(fleet_sim)).evidence
    assert evidence["showroom"]["url"].startswith(f"https://showroom-{first_lab(fleet_sim)}.")
    assert evidence["showroom"]["consecutive_failures"] == 0


@pytest.mark.parametrize(
    ("failure", "failure_class"),
    [
        ("showroom_down", "showroom-down"),
        ("showroom_not_ready", "showroom-down"),
        ("showroom_content_missing", "showroom-content-missing"),
    ],
)
def test_it_fails_a_broken_showroom_after_three_probes_in_a_row(
    fleet_sim: FleetSimulator, cluster: Cluster, failure: str, failure_class: str
) -> None:
    namespace = first_lab(fleet_sim)
    fleet_sim.break_lab(CLUSTER, namespace, failure)
    for expected in (Status.WARN, Status.WARN, Status.FAILED):
        scan(cluster)
        assert verdict(namespace, "showroom-healthy").outcome == expected
    assert verdict(namespace, "showroom-healthy").failure_class == failure_class

    fleet_sim.heal_lab(CLUSTER, namespace)
    scan(cluster)
    assert verdict(namespace, "showroom-healthy").outcome == Status.READY


def test_it_counts_failures_from_tier_2_probes_as_well(
    fleet_sim: FleetSimulator, cluster: Cluster
) -> None:
    scan(cluster)
    namespace = first_lab(fleet_sim)
    fleet_sim.break_lab(CLUSTER, namespace, "showroom_down")  # its pods change: tier 2 sees it
    scan(cluster, tier=2)
    evidence = LabEvidence.objects.get(lab_instance__namespace=namespace).evidence
    assert evidence["showroom"]["consecutive_failures"] == 1
    assert evidence["showroom"]["readyz_status"] == 503


@pytest.mark.smoke
def test_it_uses_the_simulator_transport_only_for_clusters_configured_simulated(
    fleet_sim: FleetSimulator, cluster: Cluster
) -> None:
    url = f"https://showroom-{first_lab(fleet_sim)}.apps.{CLUSTER}.example.com"
    with probe_client(cluster) as client:
        assert showroom_probe_run(url, client=client)["readyz_status"] == 200
    # Same host names, same running simulator, labelled simulated: still a production cluster.
    real = Cluster(name="ocp-east-1", labels={"simulated": "true"})
    with probe_client(real) as client:
        assert "probe refused" in showroom_probe_run(url, client=client)["error"]


@pytest.mark.parametrize(
    ("failure", "failure_class"),
    [
        ("anarchy_provision_failed", "provision-failed"),
        ("anarchy_destroy_failed", "destroy-failed"),
    ],
)
def test_it_links_a_failed_anarchy_subject_to_its_lab(
    fleet_sim: FleetSimulator, cluster: Cluster, failure: str, failure_class: str
) -> None:
    namespace = first_lab(fleet_sim)
    fleet_sim.break_lab(CLUSTER, namespace, failure)
    scan(cluster)
    evaluation = verdict(namespace, "provision-complete")
    assert evaluation.outcome == Status.FAILED
    assert evaluation.failure_class == failure_class
    assert LabInstance.objects.get(namespace=namespace).status == Status.FAILED
    healthy = sorted(lab.namespace for lab in fleet_sim.fleet.labs)[1]
    assert verdict(healthy, "provision-complete").outcome == Status.READY


def test_it_keeps_only_the_link_and_states_of_an_anarchy_subject(
    fleet_sim: FleetSimulator, cluster: Cluster
) -> None:
    scan(cluster)
    namespace = first_lab(fleet_sim)
    evidence = LabEvidence.objects.get(lab_instance__namespace=namespace).evidence
    (subject,) = evidence["objects"]["anarchysubjects"]
    assert subject["metadata"]["namespace"].startswith("babylon-anarchy-")
    assert subject["spec"]["vars"]["job_vars"] == {"sandbox_openshift_namespace": namespace}
    assert subject["spec"]["vars"]["current_state"] == "started"


def test_it_fails_a_terminating_namespace_with_its_class(
    fleet_sim: FleetSimulator, cluster: Cluster
) -> None:
    namespace = first_lab(fleet_sim)
    fleet_sim.break_lab(CLUSTER, namespace, "namespace_terminating")
    scan(cluster)
    evaluation = verdict(namespace, "namespace-ready")
    assert (evaluation.outcome, evaluation.failure_class) == (
        Status.FAILED,
        "namespace-terminating",
    )


def test_it_fails_a_vanished_namespace_until_tier_4_finds_the_lab_torn_down(
    fleet_sim: FleetSimulator, cluster: Cluster
) -> None:
    scan(cluster)
    namespace = first_lab(fleet_sim)
    fleet_sim.break_lab(CLUSTER, namespace, "namespace_missing")
    scan(cluster)
    evaluation = verdict(namespace, "run-created")
    assert (evaluation.outcome, evaluation.failure_class) == (Status.FAILED, "namespace-missing")
    assert failed_count() == 1

    scan(cluster, tier=4)  # its AnarchySubject still points at it: a broken lab, not torn down
    assert LabInstance.objects.get(namespace=namespace).deleted_at is None
    assert failed_count() == 1

    store = fleet_sim.store(CLUSTER)
    (subject,) = [
        s
        for s in store.list(SUBJECTS)
        if s["spec"]["vars"]["job_vars"]["sandbox_openshift_namespace"] == namespace
    ]
    store.delete(SUBJECTS, subject["metadata"]["namespace"], subject["metadata"]["name"])
    scan(cluster, tier=4)
    assert LabInstance.objects.get(namespace=namespace).deleted_at is not None
    assert failed_count() == 0
    scan(cluster)
    assert LabInstance.objects.get(namespace=namespace).deleted_at is not None
