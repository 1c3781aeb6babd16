"""The real captures, served by the simulator, scan into the expected evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from labs.models import LabInstance
from scanning.collect import subjects_link
from scanning.labmap import LabNamespaceFilter
from scanning.models import LabEvidence, ScanRun
from scanning.normalize import evidence_from_lists
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row
from simulator.captures import captures_store, read_captures

pytestmark = pytest.mark.django_db

KIND_KEYS = {
    "Pod": "pods",
    "Deployment": "deployments",
    "ReplicaSet": "replicasets",
    "StatefulSet": "statefulsets",
    "Service": "services",
    "Endpoints": "endpoints",
    "Route": "routes",
    "Event": "events",
    "PersistentVolumeClaim": "persistentvolumeclaims",
    "VirtualMachine": "virtualmachines",
    "VirtualMachineInstance": "virtualmachineinstances",
    "DataVolume": "datavolumes",
    "InferenceService": "inferenceservices",
    "AnarchySubject": "anarchysubjects",
}


def expected_evidence(captures: Path) -> dict[str, Any]:
    """Evidence computed directly from the capture files, without any HTTP. A few captures
    hold two objects of one name (taken at different times); an API serves the last one."""
    lists: dict[str, list[Any]] = {}
    namespaces: dict[str, Any] = {}
    unique = {
        (o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]): o
        for o in read_captures(captures).objects
    }
    subjects = []
    for obj in unique.values():
        if obj["kind"] == "Namespace":
            namespaces[obj["metadata"]["name"]] = obj
        elif obj["kind"] == "AnarchySubject":
            subjects.append(obj)
        elif obj["kind"] in KIND_KEYS:
            lists.setdefault(KIND_KEYS[obj["kind"]], []).append(obj)
            namespaces.setdefault(obj["metadata"]["namespace"], None)
    # AnarchySubjects belong to the lab namespace they point at, which is a lab on first sight.
    linked = subjects_link("anarchysubjects", subjects, LabNamespaceFilter())
    for namespace in linked:
        namespaces.setdefault(namespace, None)
    evidence = evidence_from_lists(
        cluster="captured", namespaces=namespaces, lists=lists, collected_at="x"
    )
    for namespace, items in linked.items():
        evidence[namespace]["objects"]["anarchysubjects"] = items
    return dict(evidence)


def by_name(objects: list[Any]) -> list[Any]:
    return sorted(objects, key=lambda o: o["metadata"]["name"])


def test_it_scans_the_captures_into_the_expected_evidence(
    captures: Path, simulator_server: Any, settings: Any
) -> None:
    expected = expected_evidence(captures)
    settings.WATCHED_NAMESPACES = list(expected)
    sim = simulator_server(stores={"captured": captures_store(captures, "captured")})
    cluster = cluster_row(sim, "captured")

    run = scan_run_execute(cluster=cluster, tier=3)

    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    assert run.namespaces_seen == len(expected)
    stored = {
        e.lab_instance.namespace: e.evidence
        for e in LabEvidence.objects.select_related("lab_instance")
    }
    assert set(stored) == set(expected)
    for namespace, evidence in expected.items():
        got = stored[namespace]
        assert got["namespace_object"] == evidence["namespace_object"], namespace
        for kind, objects in evidence["objects"].items():
            assert by_name(got["objects"][kind]) == by_name(objects), (namespace, kind)


def test_it_maps_sandbox_namespaces_to_labs(captures: Path, simulator_server: Any) -> None:
    sim = simulator_server(stores={"captured": captures_store(captures, "captured")})
    run = scan_run_execute(cluster=cluster_row(sim, "captured", via="token"), tier=3)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    # live-cnv is named like a sandbox; the captured AnarchySubjects point at three more labs.
    assert set(LabInstance.objects.values_list("namespace", flat=True)) == {
        "sandbox-2cf6p-ocp4-cluster",
        "sandbox-49rj2-168e13b3-7cda-5857-bae7-a8126d71a6b0",
        "sandbox-dp64b-1-ocp4-cluster",
        "sandbox-m8mjj-ocp4-cluster",
    }
    instance = LabInstance.objects.get(namespace="sandbox-2cf6p-ocp4-cluster")
    assert (instance.namespace, instance.guid, instance.lab.catalog_item) == (
        "sandbox-2cf6p-ocp4-cluster",
        "2cf6p",
        "ocp4-cluster",
    )
    pods = instance.evidence.evidence["objects"]["pods"]
    assert pods and all(p["metadata"]["namespace"] == instance.namespace for p in pods)


def test_it_hands_each_namespace_to_the_rubric_engine(
    captures: Path, simulator_server: Any, settings: Any
) -> None:
    from labs.models import Status

    expected = expected_evidence(captures)
    settings.WATCHED_NAMESPACES = list(expected)
    sim = simulator_server(stores={"captured": captures_store(captures, "captured")})
    run = scan_run_execute(cluster=cluster_row(sim, "captured"), tier=3)
    assert run.namespaces_evaluated == len(expected)
    statuses = dict(LabInstance.objects.values_list("namespace", "status"))
    assert statuses["summit-demo-002"] == Status.FAILED  # oc/unhealthy: a crashloop
    assert statuses["sandbox-2cf6p-ocp4-cluster"] != Status.FAILED  # live-cnv: VMs running
    assert all(status != Status.UNKNOWN for status in statuses.values())
