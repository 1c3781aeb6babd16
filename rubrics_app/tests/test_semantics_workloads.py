from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rubrics_app.semantics.common import Health
from rubrics_app.semantics.deployments import (
    deployment_health,
    selector_matches,
    statefulset_health,
)

from .captured import items, one


def _deployment(wanted: int, updated: int, ready: int, available: int, **extra: object) -> dict:
    return {
        "kind": "Deployment",
        "metadata": {"name": "d", "generation": 2},
        "spec": {"replicas": wanted, **extra},
        "status": {
            "observedGeneration": 2,
            "replicas": updated,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": available,
        },
    }


def test_it_finds_the_unhealthy_capture_progressing_until_its_pods_say_otherwise(captures):
    result = deployment_health(one(captures, "oc/unhealthy/deployment.json"))
    assert (result.status, result.reason) == (Health.PROGRESSING, "ReplicasUnavailable")


def test_it_finds_the_healthy_capture_ready(captures):
    assert deployment_health(one(captures, "oc/healthy/deployment.json")).status == Health.READY


def test_it_fails_a_deployment_past_its_progress_deadline(captures):
    deployments = items(captures, "live-infra01/cost-monitor/deployment.json")
    by_name = {d["metadata"]["name"]: deployment_health(d) for d in deployments}
    assert by_name["cost-data-service"].reason == "ProgressDeadlineExceeded"
    assert by_name["cost-data-service"].status == Health.FAILED
    assert by_name["redis"].status == Health.READY


def test_it_suspends_paused_deployments():
    assert deployment_health(_deployment(1, 1, 1, 1, paused=True)).status == Health.SUSPENDED


def test_it_waits_for_the_controller_to_observe_the_generation():
    deployment = _deployment(1, 1, 1, 1)
    deployment["status"]["observedGeneration"] = 1
    assert deployment_health(deployment).reason == "GenerationNotObserved"


@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5), st.integers(0, 5))
def test_it_is_ready_exactly_when_all_replicas_are_updated_ready_and_available(w, u, r, a):
    result = deployment_health(_deployment(w, u, r, a))
    assert (result.status == Health.READY) == (u >= w and r >= w and a >= w)


def test_it_rolls_pods_up_by_selector(captures):
    deployment = one(captures, "oc/unhealthy/deployment.json")
    pod = one(captures, "oc/unhealthy/pods.json")
    other = one(captures, "oc/healthy/pods.json")
    other["metadata"]["labels"] = {"app": "something-else"}
    assert selector_matches(deployment, pod)
    assert not selector_matches(deployment, other)


def test_it_requires_statefulset_replicas_and_revision():
    sts = {"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"replicas": 2}}
    sts["status"] = {"readyReplicas": 2, "currentRevision": "a", "updateRevision": "a"}
    assert statefulset_health(sts).status == Health.READY
    sts["status"]["updateRevision"] = "b"
    assert statefulset_health(sts).status == Health.PROGRESSING
