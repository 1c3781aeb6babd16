"""The fleet generator: realistic, deterministic, every failure kind, fast."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from labs.naming import parse_lab_namespace
from simulator.failures import FAILURE_KINDS, LAB_FAILURES
from simulator.generator import CATALOG, FleetSpec, LabRecord, generate_fleet

NOW = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)
PATTERN = r"^sandbox-(?P<guid>[a-z0-9]+)-(?P<catalog_item>[a-z0-9-]+)$"


def _of(objects: list[dict[str, Any]], kind: str, namespace: str | None = None) -> list[Any]:
    return [
        o
        for o in objects
        if o["kind"] == kind and (namespace is None or o["metadata"].get("namespace") == namespace)
    ]


def test_it_generates_the_same_fleet_for_the_same_seed() -> None:
    spec = FleetSpec(clusters=2, namespaces=30, failure_rate=0.3, seed=11, now=NOW)

    assert generate_fleet(spec).objects == generate_fleet(spec).objects


def test_it_generates_another_fleet_for_another_seed() -> None:
    one = generate_fleet(FleetSpec(clusters=1, namespaces=20, seed=1, now=NOW))
    two = generate_fleet(FleetSpec(clusters=1, namespaces=20, seed=2, now=NOW))

    assert [lab.namespace for lab in one.labs] != [lab.namespace for lab in two.labs]


def test_it_names_labs_like_real_sandboxes() -> None:
    fleet = generate_fleet(FleetSpec(clusters=2, namespaces=40, now=NOW))

    parsed = [parse_lab_namespace(lab.namespace, [PATTERN]) for lab in fleet.labs]

    assert all(p is not None for p in parsed)
    assert {p.catalog_item for p in parsed if p} == set(CATALOG)
    assert len({lab.namespace for lab in fleet.labs}) == 80


def test_it_shows_every_failure_kind_and_reports_the_mix() -> None:
    fleet = generate_fleet(FleetSpec(clusters=3, namespaces=200, failure_rate=0.1, seed=7))
    mix = fleet.failure_mix()

    assert set(mix) == set(FAILURE_KINDS)
    assert sum(mix.values()) == sum(1 for lab in fleet.labs if lab.failure) + len(
        fleet.node_failures
    )
    assert 30 <= sum(mix.values()) <= 90  # about 10 % of 600 labs


def test_it_follows_the_configured_weights() -> None:
    spec = FleetSpec(
        clusters=1,
        namespaces=100,
        failure_rate=1.0,
        now=NOW,
        failure_weights={"crashloop": 3, "vmi_failed": 1},
    )

    mix = generate_fleet(spec).failure_mix()

    assert set(mix) == {"crashloop", "vmi_failed"} and mix["crashloop"] > mix["vmi_failed"]


def test_it_builds_realistic_labs_and_platform_objects() -> None:
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=30, failure_rate=0, now=NOW))
    objects = fleet.objects["sim-01"]
    kinds = Counter(o["kind"] for o in objects)
    pods = _of(objects, "Pod")

    # 30 labs and 7 platform namespaces; one subject per lab
    assert kinds["Namespace"] == 30 + 7 and kinds["AnarchySubject"] == 30
    assert {
        "Deployment",
        "ReplicaSet",
        "Service",
        "Endpoints",
        "Route",
        "Event",
        "ConfigMap",
        "PersistentVolumeClaim",
        "PodMetrics",
        "NodeMetrics",
        "ResourcePool",
        "ResourceHandle",
    } <= set(kinds)
    assert any(
        p["status"]["phase"] == "Succeeded" and "build" in p["metadata"]["name"] for p in pods
    )
    assert any("batch.kubernetes.io/job-name" in p["metadata"]["labels"] for p in pods)
    assert kinds["Route"] == 30 * 2  # an app and a showroom route per lab
    node = _of(objects, "Node")[0]
    assert node["status"]["capacity"]["cpu"] and node["status"]["allocatable"]["memory"]


def test_it_builds_kubevirt_labs() -> None:
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=30, failure_rate=0, now=NOW))
    vm_lab = next(lab for lab in fleet.labs if CATALOG[lab.catalog_item] == "vm")
    objects = fleet.objects["sim-01"]

    in_lab = Counter(
        o["kind"] for o in objects if o["metadata"].get("namespace") == vm_lab.namespace
    )

    assert in_lab["VirtualMachine"] == in_lab["VirtualMachineInstance"] == in_lab["DataVolume"] == 3
    assert any(
        p["metadata"]["name"].startswith("virt-launcher-")
        for p in _of(objects, "Pod", vm_lab.namespace)
    )


def _signals(lab_objects: list[dict[str, Any]], showroom_state: str) -> str:
    """Text of every status and event, to look for the failure's tell-tale sign."""
    import orjson

    return orjson.dumps(lab_objects).decode() + showroom_state


TELLTALES = {
    "crashloop": '"CrashLoopBackOff"',
    "imagepull": '"ImagePullBackOff"',
    "oomkilled": '"OOMKilled"',
    "unschedulable": '"Unschedulable"',
    "progress_deadline": '"ProgressDeadlineExceeded"',
    "pvc_pending": '"phase":"Pending"',
    "pvc_provisioning_failed": '"ProvisioningFailed"',
    "datavolume_failed": '"phase":"Failed"',
    "datavolume_stalled": '"ImportInProgress"',
    "vmi_not_running": '"phase":"Scheduled"',
    "vmi_failed": '"phase":"Failed"',
    "guest_agent_missing": '"AgentConnected"',
    "vm_error_unschedulable": '"ErrorUnschedulable"',
    "vm_datavolume_error": '"DataVolumeError"',
    "route_not_admitted": '"HostAlreadyClaimed"',
    "service_no_endpoints": '"subsets":[]',
    "showroom_down": "down",
    "showroom_not_ready": "not_ready",
    "showroom_content_missing": "content_missing",
    "namespace_terminating": '"Terminating"',
    "anarchy_provision_failed": '"provision-failed"',
    "anarchy_destroy_failed": '"destroy-failed"',
    "inferenceservice_not_ready": '"PredictorReady","status":"False"',
}


@pytest.mark.parametrize("failure", sorted(set(LAB_FAILURES) - {"namespace_missing"}))
def test_it_shows_each_lab_failure_in_the_objects(failure: str) -> None:
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=12, failure_rate=0, now=NOW))
    flavour = LAB_FAILURES[failure][0][0]
    record = next(lab for lab in fleet.labs if CATALOG[lab.catalog_item] == flavour)

    healthy, broken = fleet.build(record), fleet.build(record, failure)

    sign = TELLTALES[failure]
    seen_broken = _signals(broken.objects(), broken.showroom_state).count(sign)
    seen_healthy = _signals(healthy.objects(), healthy.showroom_state).count(sign)

    if failure == "guest_agent_missing":  # the sign is the condition that goes away
        assert seen_broken < seen_healthy
    else:
        assert seen_broken > seen_healthy


def test_it_drops_a_missing_namespace_but_keeps_its_subject() -> None:
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=3, failure_rate=0, now=NOW))
    record: LabRecord = fleet.labs[0]

    objects = fleet.build(record, "namespace_missing").objects()

    assert [o["kind"] for o in objects] == ["AnarchySubject"]


def test_it_breaks_nodes_for_node_failures() -> None:
    spec = FleetSpec(
        clusters=1,
        namespaces=40,
        failure_rate=1.0,
        now=NOW,
        failure_weights={"node_not_ready": 1, "node_high_cpu": 1},
    )
    fleet = generate_fleet(spec)
    nodes = {n["metadata"]["name"]: n for n in _of(fleet.objects["sim-01"], "Node")}

    metrics = {m["metadata"]["name"]: m for m in _of(fleet.objects["sim-01"], "NodeMetrics")}
    not_ready = {name for _, name, kind in fleet.node_failures if kind == "node_not_ready"}
    busy = {name for _, name, kind in fleet.node_failures if kind == "node_high_cpu"}

    assert not_ready and busy
    assert all(nodes[n]["status"]["conditions"][-1]["status"] == "Unknown" for n in not_ready)
    assert not not_ready & set(metrics)
    for name in busy:
        used = int(metrics[name]["usage"]["cpu"].removesuffix("m"))
        assert used / (int(nodes[name]["status"]["capacity"]["cpu"]) * 1000) > 0.9


def test_it_generates_2000_namespaces_in_under_10_seconds() -> None:
    start = time.perf_counter()
    fleet = generate_fleet(FleetSpec(clusters=4, namespaces=500, failure_rate=0.1))
    elapsed = time.perf_counter() - start

    assert len(fleet.labs) == 2000
    assert elapsed < 10, f"{elapsed:.1f} s"
