from __future__ import annotations

from typing import Any

import pytest

from labs.models import Cluster, LabInstance
from scanning import tiers
from scanning.client import api_client_for, list_pages
from scanning.models import LabEvidence, NodeSnapshot, ScanRun
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import (
    cluster_row,
    lab_pod,
    namespace_obj,
    node,
    node_metrics,
)
from simulator import Store
from simulator.kinds import kind_for_object

pytestmark = pytest.mark.django_db

LABS = ["sandbox-aa1-demo", "sandbox-bb2-demo", "sandbox-cc3-other"]


def fleet_store() -> Store:
    store = Store("c1")
    store.load([namespace_obj(ns) for ns in [*LABS, "openshift-monitoring"]])
    store.load(lab_pod(ns, f"app-{i}") for ns in LABS for i in range(3))
    store.load([lab_pod("openshift-monitoring", "prometheus-0")])
    store.load([node("n1"), node("n2", memory_pressure=True), node("n3", ready=False)])
    store.load([node_metrics("n1", "2", "8Gi"), node_metrics("n2", "6", "24Gi")])
    return store


@pytest.fixture
def cluster(simulator_server: Any) -> tuple[Any, Cluster]:
    sim = simulator_server(stores={"c1": fleet_store()})
    return sim, cluster_row(sim, "c1")


def test_it_pages_through_lists(cluster: tuple[Any, Cluster]) -> None:
    _, row = cluster
    pages = list(list_pages(api_client_for(row), "/api/v1/pods", limit=4))
    assert len(pages) == 3
    assert (
        len({p["metadata"]["name"] + p["metadata"]["namespace"] for page in pages for p in page})
        == 10
    )


def test_it_records_nodes_and_latency_at_tier_1(cluster: tuple[Any, Cluster]) -> None:
    _, row = cluster
    run = scan_run_execute(cluster=row, tier=1)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    nodes = {n.name: n for n in NodeSnapshot.objects.filter(cluster=row)}
    assert set(nodes) == {"n1", "n2", "n3"}
    assert nodes["n2"].pressure == ["MemoryPressure"]
    assert not nodes["n3"].ready
    assert nodes["n1"].cpu_used_pct == 25.0
    assert nodes["n2"].memory_used_pct == 75.0
    assert nodes["n3"].cpu_used_pct is None  # no metrics for it
    row.refresh_from_db()
    assert row.api_latency_ms is not None and row.last_seen_at is not None


def test_it_maps_lab_namespaces_and_ignores_others_at_tier_3(cluster: tuple[Any, Cluster]) -> None:
    _, row = cluster
    run = scan_run_execute(cluster=row, tier=3)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    assert sorted(LabInstance.objects.values_list("namespace", flat=True)) == LABS
    assert run.objects_read == 14  # 4 namespaces, 10 pods
    assert run.namespaces_seen == 3
    assert {li.lab.catalog_item for li in LabInstance.objects.all()} == {"demo", "other"}


@pytest.mark.parametrize("share", [0, 20], ids=["one-get-per-namespace", "cluster-wide-lists"])
def test_it_finds_a_newly_failing_namespace_at_tier_2(
    cluster: tuple[Any, Cluster], share: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One changed namespace of four: one GET per kind and namespace with a share of 0, the
    # cluster-wide lists with the default (more than one namespace in 20 changed).
    monkeypatch.setattr(tiers, "TIER2_PER_NAMESPACE_SHARE", share)
    sim, row = cluster
    scan_run_execute(cluster=row, tier=3)
    quiet = scan_run_execute(cluster=row, tier=2)
    assert quiet.status == ScanRun.Status.SUCCEEDED and quiet.namespaces_seen == 3
    assert ScanRun.objects.get(pk=quiet.pk).phase == "done"
    before = LabEvidence.objects.get(lab_instance__namespace=LABS[1]).changed_at
    untouched_before = LabEvidence.objects.get(lab_instance__namespace=LABS[0]).changed_at

    broken = lab_pod(LABS[1], "app-1", waiting="CrashLoopBackOff")
    sim.store("c1").update(kind_for_object(broken), broken)
    run = scan_run_execute(cluster=row, tier=2)

    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    evidence = LabEvidence.objects.get(lab_instance__namespace=LABS[1])
    assert evidence.changed_at > before
    states = [
        p["status"]["containerStatuses"][0]["state"] for p in evidence.evidence["objects"]["pods"]
    ]
    assert {"waiting": {"reason": "CrashLoopBackOff"}} in states
    untouched = LabEvidence.objects.get(lab_instance__namespace=LABS[0])
    assert untouched.changed_at == untouched_before


def test_it_marks_vanished_namespaces_deleted_at_tier_4(cluster: tuple[Any, Cluster]) -> None:
    sim, row = cluster
    scan_run_execute(cluster=row, tier=4)
    store = sim.store("c1")
    store.delete_namespace_contents(LABS[2])
    store.delete(kind_for_object(namespace_obj(LABS[2])), "", LABS[2])
    run = scan_run_execute(cluster=row, tier=4)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    gone = LabInstance.objects.get(namespace=LABS[2])
    assert gone.deleted_at is not None
    assert LabInstance.objects.filter(deleted_at__isnull=True).count() == 2


def test_it_runs_as_a_django_q_task(cluster: tuple[Any, Cluster]) -> None:
    from scanning.tasks import scan_cluster

    _, row = cluster
    summary = scan_cluster(row.pk, 3)
    assert summary.startswith("c1: tier 3 succeeded: 14 objects")


def test_it_shows_progress_and_a_summary_from_the_command(
    cluster: tuple[Any, Cluster], capsys: Any
) -> None:
    from django.core.management import call_command

    call_command("scan_cluster", "c1", "--tier", "3")
    out = capsys.readouterr().out
    assert "100%" in out and "[####" in out
    assert "c1: tier 3 succeeded" in out


def test_it_lists_the_known_clusters_for_an_unknown_name(cluster: tuple[Any, Cluster]) -> None:
    from django.core.management import CommandError, call_command

    Cluster.objects.create(name="b2", api_url="https://127.0.0.1:9")
    with pytest.raises(CommandError, match=r"no cluster named 'nope'; known clusters: b2, c1$"):
        call_command("scan_cluster", "nope")


def test_it_leaves_a_torn_down_lab_deleted_at_tier_2(cluster: tuple[Any, Cluster]) -> None:
    sim, row = cluster
    scan_run_execute(cluster=row, tier=3)
    store = sim.store("c1")
    store.delete_namespace_contents(LABS[2])
    store.delete(kind_for_object(namespace_obj(LABS[2])), "", LABS[2])
    scan_run_execute(cluster=row, tier=4)
    run = scan_run_execute(cluster=row, tier=2)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    assert LabInstance.objects.get(namespace=LABS[2]).deleted_at is not None
