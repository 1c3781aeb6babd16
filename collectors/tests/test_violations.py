"""Constraint violations end to end: a simulated cluster scanned for real, the AgnosticV simulator
repository collected, the cluster's Subscriptions and ClusterVersion read through the kubernetes
client; then the Provisioning page and the recommendations show them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from collectors.models import ConstraintViolation
from collectors.runner import source_run
from collectors.violations import definition_path
from labs.models import Cluster, LabInstance
from rubrics_app.models import Evaluation
from scanning.models import ScanRun
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row
from simulator.generator import FleetSpec, generate_fleet
from simulator.kinds import kind_for_path
from simulator.tests.conftest import simulator_server  # noqa: F401 (fixture)

from .conftest import NOW, Configure

pytestmark = pytest.mark.django_db
ITEM = "ocp4-cluster"  # workloads openshift_virtualization, showroom, authentication; OCP 4.18


def _cluster_objects(namespace: str) -> list[dict[str, Any]]:
    def subscription(name: str, package: str, channel: str) -> dict[str, Any]:
        return {
            "apiVersion": "operators.coreos.com/v1alpha1",
            "kind": "Subscription",
            "metadata": {"name": name, "namespace": "openshift-operators"},
            "spec": {"name": package, "channel": channel, "source": "redhat-operators"},
        }

    return [
        subscription("openshift-virtualization", "kubevirt-hyperconverged", "stable"),
        subscription("openshift-gitops-operator", "openshift-gitops-operator", "gitops-1.13"),
        {
            "apiVersion": "config.openshift.io/v1",
            "kind": "ClusterVersion",
            "metadata": {"name": "version"},
            "status": {"desired": {"version": "4.17.9"}},
        },
    ]


def _showroom_source(objects: list[dict[str, Any]], namespace: str) -> None:
    """The lab's showroom pods clone other content, at another ref (a token in the URL)."""
    for item in objects:
        meta = item.get("metadata", {})
        if (
            item.get("kind") == "Pod"
            and meta.get("namespace") == namespace
            and meta["name"].startswith("showroom")
        ):
            item["spec"]["containers"][0]["env"] = [
                {"name": "GIT_REPO_URL", "value": "https://x:s3cr3t@github.com/o/other.git"},
                {"name": "GIT_REPO_REF", "value": "v2"},
            ]


@pytest.fixture
def scanned(
    simulator_server: Callable[..., Any],  # noqa: F811
    configure: Configure,
    settings: Any,
    tmp_path: Path,
) -> tuple[Any, Cluster, LabInstance]:
    settings.DATA_DIR = tmp_path / "data"
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=6, failure_rate=0.0, seed=7, now=NOW))
    name = fleet.clusters[0]
    lab = next(r for r in fleet.labs if r.catalog_item == ITEM)
    fleet.objects[name] += _cluster_objects(lab.namespace)
    _showroom_source(fleet.objects[name], lab.namespace)
    sim = simulator_server(fleet=fleet)
    cluster = cluster_row(sim, name)
    run = scan_run_execute(cluster=cluster, tier=3)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    configure("agnosticv", checkout_dir=str(tmp_path / "checkout"), timeout=30)
    instance = LabInstance.objects.get(namespace=lab.namespace)
    return sim, cluster, instance


def test_each_violation_type_is_found_and_persisted(
    scanned: tuple[Any, Cluster, LabInstance],
) -> None:
    sim, cluster, instance = scanned
    assert instance.lab.catalog_item == ITEM
    Evaluation.objects.update_or_create(
        lab_instance=instance,
        rubric_id="vm-runtime-ready",
        defaults={
            "outcome": "warn",
            "failure_class": "guest-agent-disconnected",
            "evaluated_at": timezone.now(),
        },
    )
    run = source_run("agnosticv", now=NOW)
    assert run is not None and run.ok, run.error
    assert run.summary["constraints"]["labs_checked"] >= 1
    rows = {v.violation_type: v for v in ConstraintViolation.objects.filter(lab=instance.lab)}
    assert set(rows) == {
        "workload_not_deployed",
        "operator_version_drift",
        "showroom_wrong_content",
        "showroom_wrong_ref",
        "resource_below_spec",
    }
    assert rows["workload_not_deployed"].subject == "authentication"
    drift = rows["operator_version_drift"]
    assert (drift.subject, drift.expected, drift.actual) == ("gitops", "gitops-1.15", "gitops-1.13")
    content = rows["showroom_wrong_content"]
    assert content.severity == "critical" and content.correlated_stage == "showroom-healthy"
    assert content.actual == "https://github.com/o/other.git"  # the token never stored
    assert (rows["showroom_wrong_ref"].expected, rows["showroom_wrong_ref"].actual) == (
        "main",
        "v2",
    )
    version = rows["resource_below_spec"]
    assert (version.expected, version.actual) == ("4.18", "4.17.9")
    assert version.correlated_failure_class == "guest-agent-disconnected"
    assert version.definition_path == "openshift_cnv/ocp4-cluster/prod.yaml"
    assert rows["workload_not_deployed"].as_dict()["correlated_rubric_stage"] == "deployment-ready"

    # the cluster is upgraded: that violation clears; the others keep their first detection
    store = sim.stores[cluster.name]
    clusterversion = kind_for_path("config.openshift.io", "v1", "clusterversions")
    assert clusterversion is not None
    upgraded = store.get(clusterversion, "", "version")
    assert upgraded is not None
    upgraded["status"]["desired"]["version"] = "4.18.12"
    store.update(clusterversion, upgraded)
    later = NOW.replace(hour=9)
    run = source_run("agnosticv", now=later)
    assert run is not None and run.ok, run.error
    left = ConstraintViolation.objects.filter(lab=instance.lab)
    assert "resource_below_spec" not in {v.violation_type for v in left}
    kept = left.get(violation_type="showroom_wrong_content")
    assert (kept.detected_at, kept.last_seen) == (NOW, later)


def test_the_definition_lookup_follows_the_spec_order() -> None:
    paths = [
        "openshift_cnv/lb1208-virt/prod.yaml",
        "summit-2026/lb1208-virt/event.yaml",
        "summit-2026/lb1208-virt/dev.yaml",
        "agd_v2/apps/prod.yaml",
        "rhdp/lb1300-things/prod.yaml",
    ]
    resolved = ["openshift_cnv/lb1208-virt/prod.yaml"]
    assert (
        definition_path(paths, resolved=resolved, ci_name="", slug="", lab_code="")
        == "openshift_cnv/lb1208-virt/prod.yaml"
    )
    by_event = definition_path(
        paths, resolved=[], ci_name="summit-2026.lb1208-virt", slug="lb1208-virt", lab_code=""
    )
    assert by_event == "summit-2026/lb1208-virt/event.yaml"
    assert definition_path(paths, resolved=[], ci_name="", slug="apps", lab_code="") == (
        "agd_v2/apps/prod.yaml"
    )
    assert definition_path(paths, resolved=[], ci_name="", slug="", lab_code="LB1300") == (
        "rhdp/lb1300-things/prod.yaml"
    )
    assert definition_path(paths, resolved=[], ci_name="", slug="", lab_code="LB9") == ""
