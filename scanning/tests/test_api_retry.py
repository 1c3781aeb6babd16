"""A 429 or 5xx answer is tried again with backoff; a 4xx answer is final (scan and executors)."""

from __future__ import annotations

from typing import Any

import pytest

from labs.models import Cluster
from remediation.execution import cluster_access
from remediation.executors.base import ExecutionContext, ExecutionError
from remediation.executors.kubernetes import KubernetesExecutor
from remediation.tests.test_gates import CATALOG
from scanning import client
from scanning.models import ScanRun
from scanning.services import scan_run_execute
from scanning.tests.conftest import pod
from scanning.tests.fixtures_scan import cluster_row, lab_pod, namespace_obj
from simulator import Store
from simulator.controllers import PODS

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

NS = "sandbox-aa1-demo"


@pytest.fixture
def sim(simulator_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(client, "BACKOFF_MAX", 0.3)  # Retry-After: 1, shortened for the test
    store = Store("c1")
    store.load([namespace_obj(NS), lab_pod(NS, "app-0"), pod(NS, "web-0")])
    return simulator_server(stores={"c1": store})


def answered(sim: Any, mode: str) -> int:
    return int(sim.servers["c1"].faults.answered.get(mode, 0))


@pytest.mark.parametrize("mode", ["throttle", "flaky_500"])
def test_a_scan_rides_out_a_throttled_or_failing_api(sim: Any, mode: str) -> None:
    cluster = cluster_row(sim, "c1")
    sim.inject("c1", mode, 2)
    run = scan_run_execute(cluster=cluster, tier=3)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    assert answered(sim, mode) == 2


def test_a_scan_gives_up_after_its_retries(sim: Any) -> None:
    cluster = cluster_row(sim, "c1")
    sim.inject("c1", "error_500")
    run = scan_run_execute(cluster=cluster, tier=3)
    assert (run.status, run.error_kind) == (ScanRun.Status.FAILED, "server_error")
    assert answered(sim, "error_500") == client.RETRIES + 1


def test_a_scan_does_not_retry_a_4xx(sim: Any) -> None:
    cluster = cluster_row(sim, "c1")
    sim.inject("c1", "unauthorized")
    run = scan_run_execute(cluster=cluster, tier=3)
    assert run.error_kind == "unauthorized"
    assert answered(sim, "unauthorized") == 1


def _delete_pod(sim: Any, pod: str) -> KubernetesExecutor:
    row = Cluster(name="c1", api_url=sim.url("c1"), kubeconfig_path=str(sim.kubeconfig_path("c1")))
    action = CATALOG.get("restart-pod")
    context = ExecutionContext(
        action=action,
        parameters={**action.fixed, "pod": pod},
        namespace=NS,
        cluster=cluster_access(row),
        allowed_prefixes=("sandbox-",),
    )
    return KubernetesExecutor(context=context)


def test_an_executor_retries_a_throttled_call(sim: Any) -> None:
    sim.inject("c1", "throttle", 1)
    assert _delete_pod(sim, "web-0").execute().detail["deleted_pod"] == "web-0"
    assert answered(sim, "throttle") == 1
    assert [p["metadata"]["name"] for p in sim.store().list(PODS, NS)] == ["app-0"]


def test_an_executor_does_not_retry_a_4xx(sim: Any) -> None:
    sim.inject("c1", "unauthorized")
    with pytest.raises(ExecutionError) as refused:
        _delete_pod(sim, "web-0").execute()
    assert refused.value.permanent and answered(sim, "unauthorized") == 1


def test_an_executor_marks_a_lasting_5xx_as_not_permanent(sim: Any) -> None:
    sim.inject("c1", "error_500")
    with pytest.raises(ExecutionError, match="500") as failed:
        _delete_pod(sim, "web-0").execute()
    assert not failed.value.permanent
    assert answered(sim, "error_500") == client.RETRIES + 1
