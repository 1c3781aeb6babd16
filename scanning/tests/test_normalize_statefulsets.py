"""The StatefulSet trimming keeps what kstatus needs to judge a rollout's completion."""

from __future__ import annotations

from rubrics_app.semantics.common import Health
from rubrics_app.semantics.deployments import statefulset_health
from scanning.normalize import object_normalize


def _raw(strategy: dict[str, object]) -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "sandbox-abc-lab", "generation": 3},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "db"}},
            "serviceName": "db",
            "podManagementPolicy": "OrderedReady",
            "updateStrategy": strategy,
            "template": {"spec": {"containers": [{"name": "db", "image": "postgres"}]}},
        },
        "status": {
            "observedGeneration": 3,
            "replicas": 3,
            "readyReplicas": 3,
            "currentReplicas": 2,
            "updatedReplicas": 1,
            "currentRevision": "db-a",
            "updateRevision": "db-b",
        },
    }


def test_it_keeps_the_update_strategy_and_partition() -> None:
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"partition": 2, "maxUnavailable": 1}}
    kept = object_normalize("statefulsets", _raw(strategy))
    assert kept["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"partition": 2},
    }
    assert statefulset_health(kept).status == Health.READY


def test_it_keeps_on_delete_so_differing_revisions_are_not_a_rollout() -> None:
    kept = object_normalize("statefulsets", _raw({"type": "OnDelete"}))
    assert kept["spec"]["updateStrategy"] == {"type": "OnDelete"}
    assert statefulset_health(kept).status == Health.READY
