"""Executors against the simulator: the real kubernetes client over HTTPS on loopback."""

from __future__ import annotations

from dataclasses import replace

import pytest

from labs.models import Cluster
from remediation.execution import cluster_access
from remediation.executors.base import ExecutionContext, ExecutionError
from remediation.executors.kubernetes import RESTARTED_AT, KubernetesExecutor
from remediation.executors.rhdp_anarchy import AnarchyExecutor
from remediation.executors.rhdp_poolboy import PoolboyExecutor
from remediation.tests.test_gates import CATALOG
from simulator.controllers import DEPLOYMENTS, PODS, POOLS
from simulator.generator import FleetSpec, generate_fleet
from simulator.platform import POOL_NAMESPACE

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet_sim(simulator_server):  # type: ignore[no-untyped-def]
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=1, failure_rate=0.0))
    sim = simulator_server(stores=fleet.stores())
    name = fleet.clusters[0]
    cluster = Cluster(
        name=name, api_url=sim.url(name), kubeconfig_path=str(sim.kubeconfig_path(name))
    )
    return fleet, sim, cluster_access(cluster)


def _context(access, action_id: str, namespace: str, **params) -> ExecutionContext:  # type: ignore[no-untyped-def]
    action = CATALOG.get(action_id)
    return ExecutionContext(
        action=action,
        parameters={**action.fixed, **params},
        namespace=namespace,
        cluster=access,
        allowed_prefixes=("sandbox-",),
    )


def test_it_deletes_a_pod(fleet_sim) -> None:
    fleet, sim, access = fleet_sim
    namespace = fleet.labs[0].namespace
    pod = next(p["metadata"]["name"] for p in sim.store().list(PODS, namespace))
    result = KubernetesExecutor(
        context=_context(access, "restart-pod", namespace, pod=pod)
    ).execute()
    assert result.detail["deleted_pod"] == pod
    assert pod not in {p["metadata"]["name"] for p in sim.store().list(PODS, namespace)}


def test_it_rollout_restarts_a_deployment_with_the_restarted_at_annotation(fleet_sim) -> None:
    fleet, sim, access = fleet_sim
    namespace = fleet.labs[0].namespace
    context = _context(access, "restart-showroom", namespace, deployment="showroom")
    result = KubernetesExecutor(context=context).execute()
    deployment = sim.store().get(DEPLOYMENTS, namespace, "showroom")
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations[RESTARTED_AT] == result.detail["restarted_at"]


def test_it_reports_a_missing_object_as_an_execution_error(fleet_sim) -> None:
    fleet, _sim, access = fleet_sim
    context = _context(access, "restart-pod", fleet.labs[0].namespace, pod="no-such-pod")
    with pytest.raises(ExecutionError, match="404"):
        KubernetesExecutor(context=context).execute()


@pytest.mark.parametrize("namespace", ["kube-system", "openshift-etcd", "default", "other-ns"])
def test_it_refuses_a_namespace_outside_the_allow_list_itself(fleet_sim, namespace: str) -> None:
    _fleet, _sim, access = fleet_sim
    context = _context(access, "restart-pod", namespace, pod="anything")
    context = replace(context, allowed_prefixes=("sandbox-", "kube-", "openshift-", "default", "o"))
    if namespace == "other-ns":
        context = replace(context, allowed_prefixes=("sandbox-",))
    with pytest.raises(ExecutionError, match="not allow-listed"):
        KubernetesExecutor(context=context).execute()


@pytest.mark.parametrize("pod", ["Web", "a/b", "a;rm -rf", "-x", "a" * 64])
def test_it_refuses_names_that_are_not_dns_labels(fleet_sim, pod: str) -> None:
    fleet, _sim, access = fleet_sim
    context = _context(access, "restart-pod", fleet.labs[0].namespace, pod=pod)
    with pytest.raises(ExecutionError, match="not a DNS label"):
        KubernetesExecutor(context=context).execute()


def test_it_refuses_an_anarchy_subject_outside_the_anarchy_namespaces(fleet_sim) -> None:
    fleet, _sim, access = fleet_sim
    context = _context(
        access,
        "anarchy-retry-provision",
        fleet.labs[0].namespace,
        subject="x.prod-abc",
        subject_namespace="openshift-config",
    )
    with pytest.raises(ExecutionError, match="not allow-listed"):
        AnarchyExecutor(context=context).execute()


def test_it_scales_a_pool_and_rolls_it_back(fleet_sim) -> None:
    fleet, sim, access = fleet_sim
    pool = sim.store().list(POOLS, POOL_NAMESPACE)[0]
    name, before = pool["metadata"]["name"], pool["spec"]["minAvailable"]
    context = _context(
        access,
        "pool-scale",
        fleet.labs[0].namespace,
        pool=name,
        pool_namespace=POOL_NAMESPACE,
        min_available=before + 3,
    )
    executor = PoolboyExecutor(context=context)
    result = executor.execute()
    assert sim.store().get(POOLS, POOL_NAMESPACE, name)["spec"]["minAvailable"] == before + 3
    assert result.undo == {"min_available": before}
    executor.rollback(result.undo)
    assert sim.store().get(POOLS, POOL_NAMESPACE, name)["spec"]["minAvailable"] == before
