"""Controller behaviour that remediation relies on, driven through the kubernetes client."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from kubernetes import client

from simulator import Simulator, Store
from simulator.builders import deployment
from simulator.catalog import full_name
from simulator.context import BuildContext
from simulator.generator import CATALOG
from simulator.platform import anarchy_subject, resource_pool
from simulator.tests.conftest import SimulatorFactory, namespace, wait_for

NOW = datetime(2026, 11, 26, tzinfo=UTC)


@pytest.fixture
def sim(simulator_server: SimulatorFactory) -> Simulator:
    ctx = BuildContext("c1", "lab", random.Random(1), NOW, ["worker-0"])
    store = Store("c1")
    store.load([namespace("lab"), *deployment(ctx, "web", "quay.io/example/web:1", replicas=2)])
    store.load([anarchy_subject(ctx, "ocp4-cluster", "abcde", "sandbox-abcde-ocp4-cluster")])
    store.load([resource_pool(ctx, next(iter(CATALOG)), min_available=2)])
    return simulator_server(stores={"c1": store}, anarchy_delay=0.2)


def _pods(core: client.CoreV1Api) -> list[str]:
    return sorted(
        p.metadata.name for p in core.list_namespaced_pod("lab", label_selector="app=web").items
    )


def test_it_replaces_a_deleted_pod(sim: Simulator) -> None:
    core = client.CoreV1Api(sim.api_client())
    before = _pods(core)

    core.delete_namespaced_pod(before[0], "lab")
    after = wait_for(lambda: len(_pods(core)) == 2 and _pods(core))

    assert before[0] not in after and before[1] in after


def test_it_replaces_every_pod_on_rollout_restart(sim: Simulator) -> None:
    core, apps = client.CoreV1Api(sim.api_client()), client.AppsV1Api(sim.api_client())
    before = set(_pods(core))
    restart = {
        "spec": {
            "template": {
                "metadata": {
                    "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-26T07:00:00Z"}
                }
            }
        }
    }

    apps.patch_namespaced_deployment("web", "lab", restart)
    after = wait_for(
        lambda: (pods := set(_pods(core))) and not pods & before and len(pods) == 2 and pods
    )

    assert len(after) == 2
    pod = core.read_namespaced_pod(sorted(after)[0], "lab")
    assert pod.metadata.annotations["kubectl.kubernetes.io/restartedAt"] == "2026-11-26T07:00:00Z"
    status = apps.read_namespaced_deployment("web", "lab").status
    assert status.observed_generation == 2 and status.ready_replicas == 2


def test_it_scales_a_deployment(sim: Simulator) -> None:
    core, apps = client.CoreV1Api(sim.api_client()), client.AppsV1Api(sim.api_client())

    apps.patch_namespaced_deployment_scale("web", "lab", {"spec": {"replicas": 4}})
    wait_for(lambda: len(_pods(core)) == 4)
    apps.patch_namespaced_deployment_scale("web", "lab", {"spec": {"replicas": 1}})
    wait_for(lambda: len(_pods(core)) == 1)

    assert apps.read_namespaced_deployment_scale("web", "lab").spec.replicas == 1


def test_it_deletes_what_a_deleted_deployment_owned(sim: Simulator) -> None:
    core, apps = client.CoreV1Api(sim.api_client()), client.AppsV1Api(sim.api_client())

    apps.delete_namespaced_deployment("web", "lab")

    wait_for(lambda: _pods(core) == [])
    assert apps.list_namespaced_replica_set("lab").items == []


def test_it_moves_an_anarchy_subject_to_its_desired_state(sim: Simulator) -> None:
    custom = client.CustomObjectsApi(sim.api_client())
    args = (
        "anarchy.gpte.redhat.com",
        "v1",
        "lab",
        "anarchysubjects",
        full_name("ocp4-cluster") + "-abcde",
    )

    custom.patch_namespaced_custom_object(*args, {"spec": {"vars": {"desired_state": "stopped"}}})
    right_after = custom.get_namespaced_custom_object(*args)["spec"]["vars"]["current_state"]
    settled = wait_for(
        lambda: (
            custom.get_namespaced_custom_object(*args)["spec"]["vars"]["current_state"] == "stopped"
        )
    )

    assert right_after == "started" and settled


def test_it_follows_a_pool_min_available(sim: Simulator) -> None:
    custom = client.CustomObjectsApi(sim.api_client())
    pool = next(iter(CATALOG))

    def handles() -> int:
        items = custom.list_namespaced_custom_object(
            "poolboy.gpte.redhat.com",
            "v1",
            "lab",
            "resourcehandles",
            label_selector=f"poolboy.gpte.redhat.com/resource-pool-name={pool}",
        )["items"]
        return len(items)

    custom.patch_namespaced_custom_object(
        "poolboy.gpte.redhat.com", "v1", "lab", "resourcepools", pool, {"spec": {"minAvailable": 3}}
    )
    wait_for(lambda: handles() == 3)
    custom.patch_namespaced_custom_object(
        "poolboy.gpte.redhat.com", "v1", "lab", "resourcepools", pool, {"spec": {"minAvailable": 1}}
    )

    assert wait_for(lambda: handles() == 1)
