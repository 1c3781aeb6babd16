"""A generated fleet served live: cluster APIs, showroom probes, and the control endpoint."""

from __future__ import annotations

import httpx
import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from simulator.builders import ROUTE_URL_ANNOTATION
from simulator.fleet import FleetSimulator
from simulator.generator import PLATFORM_NAMESPACES, FleetSpec, generate_fleet
from simulator.tests.conftest import SimulatorFactory, wait_for


@pytest.fixture
def fleet_sim(simulator_server: SimulatorFactory) -> FleetSimulator:
    fleet = generate_fleet(FleetSpec(clusters=2, namespaces=12, failure_rate=0.0, seed=3))
    sim = simulator_server(fleet=fleet)
    assert isinstance(sim, FleetSimulator)
    return sim


def _control(sim: FleetSimulator, method: str, path: str, **kwargs: object) -> httpx.Response:
    headers = {"Authorization": f"Bearer {sim.token}"}
    return httpx.request(method, f"{sim.http_url}{path}", headers=headers, timeout=5, **kwargs)  # type: ignore[arg-type]


def test_it_serves_each_cluster_of_the_fleet(fleet_sim: FleetSimulator) -> None:
    for cluster in ("sim-01", "sim-02"):
        core = client.CoreV1Api(fleet_sim.api_client(cluster))
        names = {n.metadata.name for n in core.list_namespace().items}
        labs = {lab.namespace for lab in fleet_sim.fleet.labs if lab.cluster == cluster}

        assert labs <= names and len(names) == len(labs) + len(PLATFORM_NAMESPACES) + 3


def test_it_maps_showroom_routes_to_loopback(fleet_sim: FleetSimulator) -> None:
    lab = fleet_sim.fleet.labs[0]
    custom = client.CustomObjectsApi(fleet_sim.api_client(lab.cluster))

    route = custom.get_namespaced_custom_object(
        "route.openshift.io", "v1", lab.namespace, "routes", "showroom"
    )
    url = route["metadata"]["annotations"][ROUTE_URL_ANNOTATION]
    page = httpx.get(url, timeout=5)
    ready = httpx.get(url + "readyz", timeout=5)

    assert route["spec"]["host"] == f"showroom-{lab.namespace}.apps.{lab.cluster}.example.com"
    assert url == fleet_sim.showroom_url(lab.cluster, lab.namespace)
    assert page.status_code == 200 and lab.namespace in page.text
    assert ready.status_code == 200


@pytest.mark.parametrize(
    ("failure", "ready_status", "page_status"),
    [
        ("showroom_down", 503, 503),
        ("showroom_not_ready", 503, 503),
        ("showroom_content_missing", 200, 404),
    ],
)
def test_it_breaks_and_heals_showroom_pages(
    fleet_sim: FleetSimulator, failure: str, ready_status: int, page_status: int
) -> None:
    lab = fleet_sim.fleet.labs[1]
    url = fleet_sim.showroom_url(lab.cluster, lab.namespace)

    broken = _control(
        fleet_sim,
        "POST",
        "/_control/labs",
        json={"cluster": lab.cluster, "namespace": lab.namespace, "failure": failure},
    )
    statuses = (httpx.get(url + "readyz").status_code, httpx.get(url).status_code)
    _control(
        fleet_sim,
        "DELETE",
        "/_control/labs",
        params={"cluster": lab.cluster, "namespace": lab.namespace},
    )

    assert broken.status_code == 200
    assert statuses == (ready_status, page_status)
    assert (httpx.get(url + "readyz").status_code, httpx.get(url).status_code) == (200, 200)


@pytest.mark.parametrize(
    ("failure", "recovers"),
    [("showroom_down", True), ("showroom_not_ready", True), ("showroom_content_missing", False)],
)
def test_a_showroom_page_serves_again_once_its_restarted_pods_are_ready(
    fleet_sim: FleetSimulator, failure: str, recovers: bool
) -> None:
    lab = fleet_sim.fleet.labs[2]
    url = fleet_sim.showroom_url(lab.cluster, lab.namespace)
    fleet_sim.break_lab(lab.cluster, lab.namespace, failure)
    core = client.CoreV1Api(fleet_sim.api_client(lab.cluster))
    apps = client.AppsV1Api(fleet_sim.api_client(lab.cluster))

    for pod in core.list_namespaced_pod(lab.namespace).items:
        if pod.metadata.name.startswith("showroom-"):
            core.delete_namespaced_pod(pod.metadata.name, lab.namespace)  # what restart-pod does
    wait_for(
        lambda: apps.read_namespaced_deployment("showroom", lab.namespace).status.ready_replicas
    )

    if recovers:
        wait_for(lambda: httpx.get(url, timeout=5).status_code == 200)
        endpoints = core.read_namespaced_endpoints("showroom", lab.namespace)
        assert endpoints.subsets and endpoints.subsets[0].addresses  # the route has a backend
    else:  # a restart does not bring missing content back
        assert httpx.get(url, timeout=5).status_code == 404


def test_it_breaks_and_heals_a_lab_live(fleet_sim: FleetSimulator) -> None:
    lab = next(lab for lab in fleet_sim.fleet.labs if lab.cluster == "sim-01")
    core = client.CoreV1Api(fleet_sim.api_client("sim-01"))

    def waiting_reasons() -> set[str]:
        pods = core.list_namespaced_pod(lab.namespace, label_selector="app=workshop-app").items
        pods += core.list_namespaced_pod(lab.namespace, label_selector="app=bastion-console").items
        pods += core.list_namespaced_pod(lab.namespace, label_selector="app=model-chat").items
        return {
            cs.state.waiting.reason
            for p in pods
            for cs in p.status.container_statuses
            if cs.state.waiting
        }

    _control(
        fleet_sim,
        "POST",
        "/_control/labs",
        json={"cluster": "sim-01", "namespace": lab.namespace, "failure": "crashloop"},
    )
    broken = waiting_reasons()
    state = _control(fleet_sim, "GET", "/_control").json()
    _control(
        fleet_sim,
        "DELETE",
        "/_control/labs",
        params={"cluster": "sim-01", "namespace": lab.namespace},
    )

    assert broken == {"CrashLoopBackOff"}
    assert state["broken_labs"] == {f"sim-01/{lab.namespace}": "crashloop"}
    assert waiting_reasons() == set()


def test_it_removes_and_restores_a_missing_namespace(fleet_sim: FleetSimulator) -> None:
    lab = fleet_sim.fleet.labs[2]
    core = client.CoreV1Api(fleet_sim.api_client(lab.cluster))

    fleet_sim.break_lab(lab.cluster, lab.namespace, "namespace_missing")
    with pytest.raises(ApiException) as gone:
        core.read_namespace(lab.namespace)
    fleet_sim.heal_lab(lab.cluster, lab.namespace)

    assert gone.value.status == 404
    assert core.read_namespace(lab.namespace).status.phase == "Active"


def test_it_injects_and_heals_api_faults_through_the_control_endpoint(
    fleet_sim: FleetSimulator,
) -> None:
    core = client.CoreV1Api(fleet_sim.api_client("sim-02"))

    _control(fleet_sim, "POST", "/_control/faults", json={"cluster": "sim-02", "mode": "error_500"})
    with pytest.raises(ApiException) as error:
        core.list_namespace()
    _control(fleet_sim, "DELETE", "/_control/faults", params={"cluster": "sim-02"})

    assert error.value.status == 500
    assert core.list_namespace().items


def test_it_refuses_control_calls_without_the_token(fleet_sim: FleetSimulator) -> None:
    response = httpx.post(
        f"{fleet_sim.http_url}/_control/faults",
        json={"cluster": "sim-01", "mode": "error_500"},
        timeout=5,
    )

    assert response.status_code == 401
    assert fleet_sim.servers["sim-01"].faults.active == {}


def test_it_rejects_an_unknown_failure(fleet_sim: FleetSimulator) -> None:
    lab = fleet_sim.fleet.labs[0]

    response = _control(
        fleet_sim,
        "POST",
        "/_control/labs",
        json={"cluster": lab.cluster, "namespace": lab.namespace, "failure": "x"},
    )

    assert response.status_code == 400


def test_it_serves_objects_the_typed_client_accepts(simulator_server: SimulatorFactory) -> None:
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=60, failure_rate=1.0, seed=5))
    sim = simulator_server(fleet=fleet)
    core, apps = client.CoreV1Api(sim.api_client()), client.AppsV1Api(sim.api_client())

    listed = {
        "pods": core.list_pod_for_all_namespaces().items,
        "services": core.list_service_for_all_namespaces().items,
        "endpoints": core.list_endpoints_for_all_namespaces().items,
        "events": core.list_event_for_all_namespaces().items,
        "pvcs": core.list_persistent_volume_claim_for_all_namespaces().items,
        "configmaps": core.list_config_map_for_all_namespaces().items,
        "nodes": core.list_node().items,
        "namespaces": core.list_namespace().items,
        "deployments": apps.list_deployment_for_all_namespaces().items,
        "replicasets": apps.list_replica_set_for_all_namespaces().items,
    }

    assert all(listed.values()), [name for name, items in listed.items() if not items]
    assert len(fleet.failure_mix()) == 26


def test_it_keeps_an_image_pull_failure_until_the_image_changes(
    fleet_sim: FleetSimulator,
) -> None:
    from simulator.generator import CATALOG
    from simulator.tests.conftest import wait_for

    lab = next(lab for lab in fleet_sim.fleet.labs if CATALOG[lab.catalog_item] == "app")
    core = client.CoreV1Api(fleet_sim.api_client(lab.cluster))
    apps = client.AppsV1Api(fleet_sim.api_client(lab.cluster))
    fleet_sim.break_lab(lab.cluster, lab.namespace, "imagepull")

    def pods() -> dict[str, str]:
        items = core.list_namespaced_pod(lab.namespace, label_selector="app=workshop-app").items
        return {
            p.metadata.name: p.status.container_statuses[0].state.waiting.reason
            if p.status.container_statuses[0].state.waiting
            else "Running"
            for p in items
        }

    first = next(iter(pods()))
    core.delete_namespaced_pod(first, lab.namespace)
    retried = wait_for(lambda: first not in (p := pods()) and p)
    apps.patch_namespaced_deployment(
        "workshop-app",
        lab.namespace,
        {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [{"name": "workshop-app", "image": "quay.io/rhpds/fixed:1"}]
                    }
                }
            }
        },
    )
    fixed = wait_for(lambda: set((p := pods()).values()) == {"Running"} and p)

    assert set(retried.values()) == {"ImagePullBackOff"}
    assert not set(fixed) & set(retried)
    status = apps.read_namespaced_deployment("workshop-app", lab.namespace).status
    assert status.ready_replicas == status.replicas == len(fixed)


def test_it_reaches_showroom_pages_by_their_route_hosts(fleet_sim: FleetSimulator) -> None:
    lab = fleet_sim.fleet.labs[3]
    host = f"https://showroom-{lab.namespace}.apps.{lab.cluster}.example.com"

    with fleet_sim.showroom_client(timeout=5) as http:
        healthy = (http.get(f"{host}/readyz").status_code, http.get(host).status_code)
        fleet_sim.break_lab(lab.cluster, lab.namespace, "showroom_content_missing")
        broken = (http.get(f"{host}/readyz").status_code, http.get(f"{host}/").status_code)

    assert healthy == (200, 200)
    assert broken == (200, 404)


def test_it_breaks_and_heals_a_node_live(fleet_sim: FleetSimulator) -> None:
    core = client.CoreV1Api(fleet_sim.api_client("sim-02"))
    custom = client.CustomObjectsApi(fleet_sim.api_client("sim-02"))

    def state() -> tuple[str, bool]:
        ready = core.read_node("worker-1").status.conditions[-1].status
        metrics = custom.list_cluster_custom_object("metrics.k8s.io", "v1beta1", "nodes")
        return ready, "worker-1" in {m["metadata"]["name"] for m in metrics["items"]}

    _control(
        fleet_sim,
        "POST",
        "/_control/nodes",
        json={"cluster": "sim-02", "node": "worker-1", "failure": "node_not_ready"},
    )
    broken = state()
    listed = _control(fleet_sim, "GET", "/_control").json()["broken_nodes"]
    _control(
        fleet_sim, "DELETE", "/_control/nodes", params={"cluster": "sim-02", "node": "worker-1"}
    )

    assert broken == ("Unknown", False)
    assert listed == {"sim-02/worker-1": "node_not_ready"}
    assert state() == ("True", True)


def test_it_rejects_an_unknown_node(fleet_sim: FleetSimulator) -> None:
    response = _control(
        fleet_sim,
        "POST",
        "/_control/nodes",
        json={"cluster": "sim-01", "node": "nope", "failure": "node_high_cpu"},
    )

    assert response.status_code == 400
