"""The simulated API through the official kubernetes client over HTTPS."""

from __future__ import annotations

import time

import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException
from kubernetes.dynamic import DynamicClient

from simulator.tests.conftest import SimulatorFactory, namespace, pod, small_store


def test_it_serves_discovery_for_every_group(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store()})
    dynamic = DynamicClient(sim.api_client())

    for api_version, kind in [
        ("v1", "Pod"),
        ("apps/v1", "Deployment"),
        ("route.openshift.io/v1", "Route"),
        ("kubevirt.io/v1", "VirtualMachineInstance"),
        ("cdi.kubevirt.io/v1beta1", "DataVolume"),
        ("serving.kserve.io/v1beta1", "InferenceService"),
        ("anarchy.gpte.redhat.com/v1", "AnarchySubject"),
        ("poolboy.gpte.redhat.com/v1", "ResourcePool"),
        ("metrics.k8s.io/v1beta1", "NodeMetrics"),
    ]:
        resource = dynamic.resources.get(api_version=api_version, kind=kind)
        assert resource.kind == kind
    assert dynamic.resources.get(api_version="v1", kind="Node").namespaced is False
    assert client.VersionApi(sim.api_client()).get_code().major == "1"


def test_it_lists_and_gets_pods(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store()})
    core = client.CoreV1Api(sim.api_client())

    everywhere = core.list_pod_for_all_namespaces()
    in_b = core.list_namespaced_pod("lab-b")
    one = core.read_namespaced_pod("pod-07", "lab-a")

    assert len(everywhere.items) == 26
    assert [p.metadata.name for p in in_b.items] == ["lonely"]
    assert one.status.phase == "Running"
    assert int(everywhere.metadata.resource_version) >= int(one.metadata.resource_version)


def test_it_paginates_over_three_pages(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=25)})
    core = client.CoreV1Api(sim.api_client())
    names: list[str] = []
    pages, token = 0, None

    while pages < 10:
        page = core.list_namespaced_pod("lab-a", limit=10, _continue=token)
        names += [p.metadata.name for p in page.items]
        pages += 1
        token = page.metadata._continue
        if not token:
            break

    assert pages == 3
    assert names == [f"pod-{i:02d}" for i in range(25)]


def test_it_filters_by_label_selector(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=10)})
    core = client.CoreV1Api(sim.api_client())

    t0 = core.list_pod_for_all_namespaces(label_selector="tier=t0").items
    t1_or_none = core.list_pod_for_all_namespaces(label_selector="tier in (t1),tier!=t0").items
    missing = core.list_pod_for_all_namespaces(label_selector="!tier").items

    assert sorted(p.metadata.name for p in t0) == [
        "lonely",
        *[f"pod-{i:02d}" for i in (0, 2, 4, 6, 8)],
    ]
    assert [p.metadata.name for p in t1_or_none] == [f"pod-{i:02d}" for i in (1, 3, 5, 7, 9)]
    assert missing == []


def test_it_filters_by_field_selector(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=10)})
    core = client.CoreV1Api(sim.api_client())

    pending = core.list_pod_for_all_namespaces(field_selector="status.phase=Pending").items
    by_name = core.list_pod_for_all_namespaces(field_selector="metadata.name=lonely").items
    by_ns = core.list_pod_for_all_namespaces(
        field_selector="metadata.namespace=lab-a,status.phase!=Pending"
    ).items

    assert [p.metadata.name for p in pending] == ["pod-00", "pod-03", "pod-06", "pod-09"]
    assert [(p.metadata.namespace, p.metadata.name) for p in by_name] == [("lab-b", "lonely")]
    assert len(by_ns) == 6


def test_it_answers_a_wrong_token_with_a_401_status(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store()})
    configuration = client.Configuration(host=sim.url())
    configuration.ssl_ca_cert = str(sim.ca_path)
    configuration.api_key = {"authorization": "Bearer wrong"}
    api_client = client.ApiClient(configuration)

    with pytest.raises(ApiException) as error:
        client.CoreV1Api(api_client).list_namespace()

    assert error.value.status == 401
    assert '"kind":"Status"' in error.value.body and '"reason":"Unauthorized"' in error.value.body


def test_it_answers_a_missing_object_with_a_404_status(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store()})

    with pytest.raises(ApiException) as error:
        client.CoreV1Api(sim.api_client()).read_namespaced_pod("nope", "lab-a")

    assert error.value.status == 404
    assert '"reason":"NotFound"' in error.value.body


def test_it_creates_and_refuses_a_duplicate(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store()})
    core = client.CoreV1Api(sim.api_client())

    created = core.create_namespaced_config_map(
        "lab-a", {"metadata": {"name": "cm"}, "data": {"a": "1"}}
    )
    with pytest.raises(ApiException) as error:
        core.create_namespaced_config_map("lab-a", {"metadata": {"name": "cm"}})

    assert created.metadata.uid and created.data == {"a": "1"}
    assert error.value.status == 409
    assert core.read_namespaced_config_map("cm", "lab-a").data == {"a": "1"}


def test_it_applies_merge_json_and_strategic_patches(simulator_server: SimulatorFactory) -> None:
    store = small_store(pods=1)
    sim = simulator_server(stores={"c1": store})
    custom = client.CustomObjectsApi(sim.api_client())
    core = client.CoreV1Api(sim.api_client())
    store.load(
        [
            {
                "apiVersion": "anarchy.gpte.redhat.com/v1",
                "kind": "AnarchySubject",
                "metadata": {"name": "s", "namespace": "lab-a"},
                "spec": {"vars": {"desired_state": "started", "current_state": "started"}},
            }
        ]
    )

    core.patch_namespaced_pod("pod-00", "lab-a", {"metadata": {"labels": {"new": "yes"}}})
    core.patch_namespaced_pod(
        "pod-00", "lab-a", [{"op": "replace", "path": "/status/phase", "value": "Failed"}]
    )
    custom.patch_namespaced_custom_object(
        "anarchy.gpte.redhat.com",
        "v1",
        "lab-a",
        "anarchysubjects",
        "s",
        {"spec": {"vars": {"desired_state": "started", "extra": 1}}},
    )

    patched = core.read_namespaced_pod("pod-00", "lab-a")
    assert patched.metadata.labels == {"tier": "t0", "new": "yes"}
    assert patched.status.phase == "Failed"
    subject = custom.get_namespaced_custom_object(
        "anarchy.gpte.redhat.com", "v1", "lab-a", "anarchysubjects", "s"
    )
    assert subject["spec"]["vars"] == {
        "desired_state": "started",
        "current_state": "started",
        "extra": 1,
    }


def test_it_deletes_a_pod(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=3)})
    core = client.CoreV1Api(sim.api_client())

    core.delete_namespaced_pod("pod-01", "lab-a")

    assert [p.metadata.name for p in core.list_namespaced_pod("lab-a").items] == [
        "pod-00",
        "pod-02",
    ]


def test_it_terminates_a_namespace_before_deleting_it(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=2)}, namespace_delay=0.3)
    core = client.CoreV1Api(sim.api_client())

    core.delete_namespace("lab-a")
    terminating = core.read_namespace("lab-a")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and "lab-a" in _namespaces(core):
        time.sleep(0.05)

    assert terminating.status.phase == "Terminating"
    assert terminating.metadata.deletion_timestamp is not None
    assert "lab-a" not in _namespaces(core)
    assert core.list_namespaced_pod("lab-a").items == []


def test_it_keeps_a_namespace_with_finalizers_terminating(
    simulator_server: SimulatorFactory,
) -> None:
    store = small_store(pods=0)
    stuck = namespace("stuck")
    stuck["metadata"]["finalizers"] = ["kubernetes.io/stuck"]
    store.load([stuck, pod("stuck", "p")])
    sim = simulator_server(stores={"c1": store}, namespace_delay=0.05)
    core = client.CoreV1Api(sim.api_client())

    core.delete_namespace("stuck")
    time.sleep(0.3)

    assert core.read_namespace("stuck").status.phase == "Terminating"
    assert len(core.list_namespaced_pod("stuck").items) == 1


def _namespaces(core: client.CoreV1Api) -> list[str]:
    return [n.metadata.name for n in core.list_namespace().items]


def test_it_replaces_and_refuses_a_stale_replace(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=1)})
    core = client.CoreV1Api(sim.api_client())
    created = core.create_namespaced_config_map("lab-a", {"metadata": {"name": "cm"}, "data": {}})

    created.data = {"a": "2"}
    replaced = core.replace_namespaced_config_map("cm", "lab-a", created)
    with pytest.raises(ApiException) as error:
        core.replace_namespaced_config_map("cm", "lab-a", created)  # its version is stale now

    assert replaced.data == {"a": "2"}
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)
    assert error.value.status == 409 and '"reason":"Conflict"' in error.value.body


def test_it_expires_a_continue_token_after_compaction(simulator_server: SimulatorFactory) -> None:
    store = small_store(pods=25)
    sim = simulator_server(stores={"c1": store})
    core = client.CoreV1Api(sim.api_client())
    first = core.list_namespaced_pod("lab-a", limit=10)
    core.delete_namespaced_pod("pod-24", "lab-a")
    store.compact()

    with pytest.raises(ApiException) as error:
        core.list_namespaced_pod("lab-a", limit=10, _continue=first.metadata._continue)

    assert error.value.status == 410 and '"reason":"Expired"' in error.value.body
    assert len(core.list_namespaced_pod("lab-a", limit=10).items) == 10


def test_it_refuses_an_exact_list_at_an_old_version(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=2)})
    core = client.CoreV1Api(sim.api_client())
    old = core.list_namespaced_pod("lab-a").metadata.resource_version
    core.delete_namespaced_pod("pod-00", "lab-a")
    now = core.list_namespaced_pod("lab-a").metadata.resource_version

    exact = core.list_namespaced_pod("lab-a", resource_version=now, resource_version_match="Exact")
    with pytest.raises(ApiException) as error:
        core.list_namespaced_pod("lab-a", resource_version=old, resource_version_match="Exact")

    assert [p.metadata.name for p in exact.items] == ["pod-01"]
    assert error.value.status == 410
