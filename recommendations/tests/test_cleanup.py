"""The cleanup detectors read a (simulated) cluster with the real Kubernetes client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from collectors.models import ProvisionRecord
from recommendations.cleanup import cleanup_reports, cluster_cleanup
from scanning.tests.fixtures_scan import cluster_row
from simulator import Store
from simulator.tests.conftest import SimulatorFactory, pod, simulator_server  # noqa: F401

pytestmark = pytest.mark.django_db


def namespace(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name},
        "status": {"phase": "Active"},
    }


def store() -> Store:
    crashing = pod("openshift-cnv", "virt-handler-x")
    crashing["status"]["containerStatuses"] = [
        {
            "name": "app",
            "ready": False,
            "restartCount": 9,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
        }
    ]
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data", "namespace": "sandbox-ab12c-web"},
        "spec": {"volumeName": "pv-gone"},
        "status": {"phase": "Bound"},
    }
    s = Store("c1")
    s.load(
        [
            namespace("openshift-cnv"),
            namespace("sandbox-ab12c-web"),
            crashing,
            pod("openshift-cnv", "fine"),
            claim,
        ]
    )
    return s


def test_it_reports_each_kind_on_a_simulated_cluster(simulator_server: SimulatorFactory) -> None:  # noqa: F811
    sim = simulator_server(stores={"c1": store()})
    cluster = cluster_row(sim, "c1")
    now = timezone.now()
    ProvisionRecord.objects.create(
        hub=cluster,
        name="agd-v2.web.prod-ab12c",
        namespace="babylon-anarchy-0",
        current_state="destroy-failed",
        workload_cluster=cluster,
        lab_namespace="sandbox-gone",
        state_since=now - dt.timedelta(hours=3),
    )
    report = cluster_cleanup(cluster, now=now)
    assert [p["pod"] for p in report.operator_pods] == ["virt-handler-x"]
    assert report.operator_pods[0]["issue"] == "CrashLoopBackOff"
    assert [c["pvc_name"] for c in report.orphaned_pvcs] == ["data"]
    assert report.orphaned_pvs == []  # the simulator serves no PersistentVolumes: not an error
    [stuck] = report.stuck_teardowns
    assert stuck["age_hours"] == 3.0 and stuck["namespace_exists"] is False


def test_an_unreachable_cluster_is_skipped(simulator_server: SimulatorFactory) -> None:  # noqa: F811
    sim = simulator_server(stores={"c1": store()})
    cluster_row(sim, "c1")
    sim.inject("c1", "error_500")
    assert cleanup_reports(now=timezone.now()) == {}
