from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rubrics_app.semantics.anarchy import anarchy_health, anarchy_state
from rubrics_app.semantics.common import Health
from rubrics_app.semantics.inferenceservices import inferenceservice_health
from rubrics_app.semantics.nodes import (
    cluster_alerts_health,
    cluster_capacity_health,
    cluster_health_from_capture,
    cluster_nodes_health,
    node_health,
)
from rubrics_app.semantics.routes import route_health
from rubrics_app.semantics.services import service_health
from rubrics_app.semantics.showroom import showroom_health, showroom_probe_from_capture

from .captured import items, one


def test_it_admits_every_captured_route(captures):
    routes = items(captures, "live-infra01/parsec/route.json") + items(
        captures, "oc/healthy/route.json"
    )
    assert {route_health(r).status for r in routes} == {Health.READY}


@given(st.lists(st.booleans(), max_size=4))
def test_it_fails_a_route_with_any_rejected_ingress(admitted):
    ingress = [
        {"conditions": [{"type": "Admitted", "status": "True" if ok else "False"}]}
        for ok in admitted
    ]
    route = {"kind": "Route", "metadata": {"name": "r"}, "status": {"ingress": ingress}}
    expected = Health.PROGRESSING if not admitted else Health.READY
    if not all(admitted):
        expected = Health.FAILED
    assert route_health(route).status == expected


def test_it_needs_ready_endpoints_behind_a_service(captures):
    service = one(captures, "oc/unhealthy/service.json")
    assert service_health(service, one(captures, "oc/unhealthy/endpoints.json")).status == (
        Health.PROGRESSING
    )
    assert service_health(service, one(captures, "oc/healthy/endpoints.json")).status == (
        Health.READY
    )


def test_it_fails_the_unhealthy_inferenceservice(captures):
    result = inferenceservice_health(one(captures, "oc/model-unhealthy/inferenceservice.json"))
    assert (result.status, result.reason) == (Health.FAILED, "ModelLoadFailed")
    healthy = one(captures, "oc/model-healthy/inferenceservice.json")
    assert inferenceservice_health(healthy).status == Health.READY


def test_it_reads_anarchy_states_from_every_capture(captures):
    expected = {
        "anarchy-live": ("started", Health.READY),
        "anarchy-healthy": ("started", Health.READY),
        "anarchy-provision-failed": ("provision-failed", Health.FAILED),
        "anarchy-unhealthy": ("provision-failed", Health.FAILED),
        "anarchy-destroy-failed": ("destroy-failed", Health.FAILED),
    }
    for folder, (state, status) in expected.items():
        subject = one(captures, f"oc/{folder}/anarchysubject.json")
        assert (anarchy_state(subject), anarchy_health(subject).status) == (state, status)


def test_it_keeps_provisioning_subjects_progressing():
    subject = {"kind": "AnarchySubject", "metadata": {"name": "s"}}
    subject["spec"] = {"vars": {"current_state": "provisioning"}}
    assert anarchy_health(subject).status == Health.PROGRESSING


def test_it_applies_showroom_hysteresis(captures):
    unhealthy = captures / "showroom/unhealthy.json"
    import json

    capture = json.loads(unhealthy.read_text())
    assert showroom_health(showroom_probe_from_capture(capture, 1)).status == Health.WARN
    failed = showroom_health(showroom_probe_from_capture(capture, 3))
    assert (failed.status, failed.reason) == (Health.FAILED, "ReadyzFailed")
    healthy = json.loads((captures / "showroom/healthy.json").read_text())
    assert showroom_health(showroom_probe_from_capture(healthy)).status == Health.READY


def test_it_reads_the_cluster_captures(captures):
    import json

    degraded = cluster_health_from_capture(
        json.loads((captures / "cluster-scheduler/degraded.json").read_text())
    )
    healthy = cluster_health_from_capture(
        json.loads((captures / "cluster-scheduler/healthy.json").read_text())
    )
    assert cluster_nodes_health(degraded, "c").status == Health.WARN  # 11 of 12 nodes ready
    half = {**degraded, "nodes_ready": 5}
    assert cluster_nodes_health(half, "c").status == Health.FAILED
    assert cluster_alerts_health(degraded, "c").status == Health.FAILED
    assert cluster_capacity_health(degraded, "c", 90).reason == "CapacityHigh"
    for check in (cluster_nodes_health, cluster_alerts_health):
        assert check(healthy, "c").status == Health.READY
    assert cluster_capacity_health(healthy, "c", 90).status == Health.READY


@given(st.sampled_from(["MemoryPressure", "DiskPressure", "PIDPressure"]), st.booleans())
def test_it_warns_on_node_pressure_and_fails_not_ready_nodes(pressure, ready):
    node = {"kind": "Node", "metadata": {"name": "n"}}
    node["status"] = {
        "conditions": [
            {"type": "Ready", "status": "True" if ready else "False"},
            {"type": pressure, "status": "True"},
        ]
    }
    assert node_health(node).status == (Health.WARN if ready else Health.FAILED)
