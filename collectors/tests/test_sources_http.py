"""Happy paths of the HTTP sources against their simulators."""

from __future__ import annotations

from typing import Any

import pytest

from collectors.models import (
    ClusterAlert,
    ClusterUtilisation,
    SandboxMetrics,
    SandboxPlacement,
    SmokeTestResult,
    SourceState,
    ZeroTouchItem,
)
from collectors.runner import source_run

from .conftest import NOW, Configure

pytestmark = pytest.mark.django_db


def test_demolition_results_become_smoke_test_evidence(configure: Configure) -> None:
    configure("labagator")
    assert source_run("labagator", now=NOW).ok  # type: ignore[union-attr]
    configure("demolition")
    run = source_run("demolition", now=NOW)
    assert run is not None and run.ok, run.error
    failing = SmokeTestResult.objects.get(lab_code="LB1203")
    assert failing.passed is False and failing.failed > 0
    assert failing.lab is not None and failing.lab.catalog_item == "rhel-ai-workshop"
    assert SmokeTestResult.objects.filter(passed=True).exists()
    assert SmokeTestResult.objects.filter(passed=None).exists()  # the pending session
    assert run.summary["failing_sessions"][0]["name"].startswith("LB1203")
    assert not SmokeTestResult.objects.filter(details__icontains="FAKE").exists()


def test_sandbox_api_metrics_and_placements(configure: Configure, services: Any) -> None:
    configure("sandbox_api")
    run = source_run("sandbox_api", now=NOW)
    assert run is not None and run.ok, run.error
    metrics = SandboxMetrics.objects.get()
    assert metrics.api_healthy and metrics.queue_depth == 2
    assert set(metrics.ratelimit_by_cluster) == set(services.fleet.clusters)
    placement = SandboxPlacement.objects.first()
    assert placement is not None and placement.guid and placement.display_name
    # the resources' credentials are not kept
    assert "token" not in str(list(SandboxPlacement.objects.values_list("resources", flat=True)))


def test_sandbox_api_without_an_admin_token_looks_placements_up_one_by_one(
    configure: Configure, services: Any, fleet_clusters: list[Any]
) -> None:
    from collectors.models import ProvisionRecord
    from simulator.services.sandbox import service_uuid

    configure("sandbox_api", login_token=services.credentials("sandbox_api")["user_login_token"])
    labs = services.fleet.labs[:3]
    for lab in labs:
        ProvisionRecord.objects.create(
            hub=fleet_clusters[0],
            name=f"s-{lab.guid}",
            namespace="babylon-anarchy-0",
            service_uuid=service_uuid(lab.guid),
        )
    ProvisionRecord.objects.create(
        hub=fleet_clusters[0],
        name="gone",
        namespace="babylon-anarchy-0",
        service_uuid="00000000-0000-0000-0000-000000000000",
    )
    run = source_run("sandbox_api", now=NOW)
    assert run is not None and run.ok, run.error
    assert set(SandboxPlacement.objects.values_list("guid", flat=True)) == {
        lab.guid for lab in labs
    }


def test_sandbox_api_logs_in_again_after_a_401(configure: Configure, services: Any) -> None:
    configure("sandbox_api")
    services.server("sandbox_api").data["access_token_ttl"] = -1  # tokens expire at once
    try:
        run = source_run("sandbox_api", now=NOW)
    finally:
        services.server("sandbox_api").data["access_token_ttl"] = 3600
    assert run is not None and not run.ok and run.error_kind == "auth"
    assert run.attempts == 1  # an auth failure is not retried


def test_zerotouch_items_and_seats(configure: Configure) -> None:
    configure("zerotouch", workshops="lb1201-ocp4-cluster,lb1202-rhel-virt-roadshow,missing")
    run = source_run("zerotouch", now=NOW)
    assert run is not None and run.ok, run.error
    assert ZeroTouchItem.objects.filter(disabled=True).count() == 1
    item = ZeroTouchItem.objects.get(name="openshift-cnv.ocp4-cluster.prod")
    assert item.seats_total == 20 and item.seats_available == 10
    other = ZeroTouchItem.objects.get(name__contains="rhel-virt-roadshow")
    assert other.seats_claimed == 15  # the camelCase spelling
    assert run.summary["catalog_active"] == run.summary["catalog_total"] - 1


def test_cluster_scheduler_utilisation(configure: Configure, fleet_clusters: list[Any]) -> None:
    configure("cluster_scheduler")
    run = source_run("cluster_scheduler", now=NOW)
    assert run is not None and run.ok, run.error
    assert ClusterUtilisation.objects.count() == len(fleet_clusters)
    facts = run.summary["clusters"][fleet_clusters[0].name]
    assert facts["cluster_reachable"] is True and "nodes_healthy" in facts


def test_prometheus_query_hits_are_observations(
    configure: Configure, fleet_clusters: list[Any]
) -> None:
    configure("prometheus")
    run = source_run("prometheus", now=NOW)
    assert run is not None and run.ok, run.error
    hits = ClusterAlert.objects.filter(kind="query", closed_at=None)
    assert hits.exists()
    assert set(hits.values_list("failure_class", flat=True)) <= {
        "pod_high_restart_rate",
        "container_oom_killed",
        "node_cpu_saturated",
        "pod_stuck_pending",
    }
    count = hits.count()
    assert source_run("prometheus", now=NOW).ok  # type: ignore[union-attr]
    assert hits.count() == count  # a persisting hit is touched, never duplicated


def test_alertmanager_alerts_open_and_close(
    configure: Configure, services: Any, fleet_clusters: list[Any]
) -> None:
    configure("alertmanager")
    run = source_run("alertmanager", now=NOW)
    assert run is not None and run.ok, run.error
    alerts = ClusterAlert.objects.filter(kind="alert", closed_at=None)
    assert not alerts.filter(name="KubePodNotReady").exists()  # suppressed
    assert alerts.filter(name="Watchdog", outcome="warn").exists()
    name = f"prometheus-{fleet_clusters[0].name}"
    saved = services.server(name).data["alerts"]
    services.server(name).data["alerts"] = []
    try:
        assert source_run("alertmanager", now=NOW).ok  # type: ignore[union-attr]
    finally:
        services.server(name).data["alerts"] = saved
    assert not alerts.filter(cluster=fleet_clusters[0]).exists()
    assert ClusterAlert.objects.filter(cluster=fleet_clusters[0]).exclude(closed_at=None).exists()


def test_an_unconfigured_source_is_recorded_as_such(configure: Configure) -> None:
    assert source_run("zerotouch", now=NOW) is None
    state = SourceState.objects.get(name="zerotouch")
    assert not state.configured and state.freshness(NOW) == "never"
