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
    # kstatus: extra replicas still terminating are progress, not readiness.
    assert (result.status == Health.READY) == (u == w and r >= w and a >= u)


def test_it_rolls_pods_up_by_selector(captures):
    deployment = one(captures, "oc/unhealthy/deployment.json")
    pod = one(captures, "oc/unhealthy/pods.json")
    other = one(captures, "oc/healthy/pods.json")
    other["metadata"]["labels"] = {"app": "something-else"}
    assert selector_matches(deployment, pod)
    assert not selector_matches(deployment, other)


def test_it_requires_statefulset_replicas_and_revision():
    sts = _statefulset(2)
    assert statefulset_health(sts).status == Health.READY
    sts["status"]["updateRevision"] = "b"
    assert statefulset_health(sts).reason == "RolloutInProgress"


def _statefulset(wanted: int, strategy: dict | None = None, **status: object) -> dict:
    counts = {"replicas": wanted, "readyReplicas": wanted, "currentReplicas": wanted}
    return {
        "kind": "StatefulSet",
        "metadata": {"name": "s", "generation": 2},
        "spec": {"replicas": wanted, **({"updateStrategy": strategy} if strategy else {})},
        "status": {
            "observedGeneration": 2,
            **counts,
            "updatedReplicas": wanted,
            "currentRevision": "a",
            "updateRevision": "a",
            **status,
        },
    }


def test_it_finds_an_on_delete_statefulset_ready_while_its_revisions_differ():
    sts = _statefulset(3, {"type": "OnDelete"}, updateRevision="b", updatedReplicas=0)
    assert statefulset_health(sts).status == Health.READY


def test_it_still_needs_an_on_delete_statefulset_s_replicas_ready():
    sts = _statefulset(3, {"type": "OnDelete"}, readyReplicas=1)
    assert (statefulset_health(sts).status, statefulset_health(sts).reason) == (
        Health.PROGRESSING,
        "ReplicasUnavailable",
    )


def test_it_finds_a_partitioned_rollout_done_once_its_partition_is_rolled():
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}
    done = _statefulset(3, strategy, updateRevision="b", updatedReplicas=1, currentReplicas=2)
    assert statefulset_health(done).status == Health.READY
    waiting = _statefulset(3, strategy, updateRevision="b", updatedReplicas=0, currentReplicas=3)
    assert statefulset_health(waiting).reason == "RolloutInProgress"


def test_it_counts_replicas_still_terminating_after_a_scale_down_as_progress():
    sts = _statefulset(2, replicas=3, readyReplicas=3, currentReplicas=3)
    result = statefulset_health(sts)
    assert (result.status, result.reason) == (Health.PROGRESSING, "ExtraReplicasPending")


def test_it_waits_for_every_replica_to_be_current_on_a_rolling_update():
    sts = _statefulset(3, currentReplicas=2)
    assert statefulset_health(sts).status == Health.PROGRESSING


def test_it_times_a_statefulset_only_from_first_sight_and_marks_its_counts():
    sts = _statefulset(3, readyReplicas=1)
    sts["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00+00:00"
    result = statefulset_health(sts)
    assert result.since is None
    sts["status"]["readyReplicas"] = 2
    assert statefulset_health(sts).marker != result.marker


def test_it_waits_on_a_deployment_whose_progressing_condition_is_false_for_any_reason():
    deployment = _deployment(1, 1, 1, 1)
    deployment["status"]["conditions"] = [
        {"type": "Progressing", "status": "False", "reason": "SomethingElse"}
    ]
    result = deployment_health(deployment)
    assert (result.status, result.reason) == (Health.PROGRESSING, "SomethingElse")


def test_it_waits_on_a_deployment_that_says_it_is_not_available():
    deployment = _deployment(1, 1, 1, 1)
    deployment["status"]["conditions"] = [
        {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"}
    ]
    result = deployment_health(deployment)
    assert (result.status, result.reason) == (Health.PROGRESSING, "DeploymentNotAvailable")


def test_it_times_a_rollout_from_the_controller_s_last_progress_only():
    deployment = _deployment(3, 1, 1, 1)
    deployment["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00+00:00"
    progressing = {
        "type": "Progressing",
        "status": "True",
        "reason": "NewReplicaSetAvailable",
        "lastTransitionTime": "2026-01-01T00:00:00+00:00",
        "lastUpdateTime": "2026-01-02T00:00:00+00:00",
    }
    deployment["status"]["conditions"] = [progressing]
    assert deployment_health(deployment).since is None  # an earlier rollout's times
    progressing.update(reason="ReplicaSetUpdated", lastUpdateTime="2026-05-05T15:00:00+00:00")
    assert deployment_health(deployment).since.isoformat() == "2026-05-05T15:00:00+00:00"


def test_it_times_a_new_generation_from_first_sight():
    deployment = _deployment(1, 1, 1, 1)
    deployment["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00+00:00"
    deployment["status"]["observedGeneration"] = 1
    assert deployment_health(deployment).since is None
