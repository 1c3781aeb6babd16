"""One test per fault kind: the cluster is marked, its labs STALE, the run FAILED, no raise."""

from __future__ import annotations

from typing import Any

import pytest

from labs.models import Cluster, LabInstance, Status
from scanning.models import ScanRun
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row, lab_pod, namespace_obj
from simulator import Store

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

NS = "sandbox-aa1-demo"


@pytest.fixture
def scanned(simulator_server: Any, settings: Any) -> tuple[Any, Cluster]:
    settings.K8S_READ_TIMEOUT = 1
    store = Store("c1")
    store.load([namespace_obj(NS), lab_pod(NS, "app-0")])
    sim = simulator_server(stores={"c1": store})
    cluster = cluster_row(sim, "c1")
    assert scan_run_execute(cluster=cluster, tier=3).status == ScanRun.Status.SUCCEEDED
    LabInstance.objects.update(status=Status.READY)  # as the rubric engine would
    return sim, cluster


def assert_marked(cluster: Cluster, run: ScanRun, kind: str) -> None:
    assert (run.status, run.error_kind) == (ScanRun.Status.FAILED, kind), run.errors
    cluster.refresh_from_db()
    assert not cluster.reachable and cluster.unreachable_since is not None
    assert cluster.consecutive_failures == 1 and cluster.last_error
    assert list(LabInstance.objects.values_list("status", flat=True)) == [Status.STALE]


@pytest.mark.parametrize(
    ("mode", "value", "kind"),
    [
        ("hang", 3.0, "timeout"),
        ("refused", 1.0, "refused"),
        ("unauthorized", 1.0, "unauthorized"),
        ("error_500", 1.0, "server_error"),
        ("malformed_json", 1.0, "malformed"),
    ],
)
def test_it_marks_the_cluster_on_each_fault(
    scanned: tuple[Any, Cluster], mode: str, value: float, kind: str
) -> None:
    sim, cluster = scanned
    sim.inject("c1", mode, value)
    run = scan_run_execute(cluster=cluster, tier=3)
    assert_marked(cluster, run, kind)


def test_it_fails_on_a_fault_in_the_middle_of_a_scan(scanned: tuple[Any, Cluster]) -> None:
    sim, cluster = scanned
    sim.inject("c1", "error_500", path_contains="/virtualmachineinstances")
    run = scan_run_execute(cluster=cluster, tier=3)
    assert_marked(cluster, run, "server_error")
    assert run.objects_read > 0  # pods were read before the failing list


def test_it_fails_on_a_wrong_token(scanned: tuple[Any, Cluster], tmp_path: Any) -> None:
    _, cluster = scanned
    token = tmp_path / "wrong"
    token.write_text("not-the-token")
    cluster.kubeconfig_path, cluster.token_file = "", str(token)
    cluster.ca_bundle_path = ""
    cluster.verify_tls = False
    run = scan_run_execute(cluster=cluster, tier=1)
    assert_marked(cluster, run, "unauthorized")


def test_it_refuses_an_unknown_certificate_authority(
    scanned: tuple[Any, Cluster], tmp_path: Any
) -> None:
    sim, cluster = scanned
    token = tmp_path / "token"
    token.write_text(sim.token)
    cluster.kubeconfig_path, cluster.token_file, cluster.ca_bundle_path = "", str(token), ""
    run = scan_run_execute(cluster=cluster, tier=1)
    assert_marked(cluster, run, "tls")


def test_it_recovers_when_the_cluster_answers_again(scanned: tuple[Any, Cluster]) -> None:
    sim, cluster = scanned
    sim.inject("c1", "error_500")
    scan_run_execute(cluster=cluster, tier=2)
    sim.heal("c1")
    run = scan_run_execute(cluster=cluster, tier=2, force=True)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    cluster.refresh_from_db()
    assert cluster.reachable and cluster.consecutive_failures == 0 and not cluster.last_error
    assert list(LabInstance.objects.values_list("status", flat=True)) == [Status.UNKNOWN]
