"""watch=true through the kubernetes client's Watch: events, bookmarks, 410 Gone."""

from __future__ import annotations

import orjson
import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from simulator.tests.conftest import SimulatorFactory, pod, small_store


def test_it_streams_added_modified_and_deleted_events(simulator_server: SimulatorFactory) -> None:
    store = small_store(pods=2)
    sim = simulator_server(stores={"c1": store})
    core = client.CoreV1Api(sim.api_client())
    since = core.list_namespaced_pod("lab-a").metadata.resource_version

    core.create_namespaced_pod("lab-a", pod("lab-a", "new"))
    core.patch_namespaced_pod("new", "lab-a", {"metadata": {"labels": {"x": "1"}}})
    core.delete_namespaced_pod("new", "lab-a")
    core.create_namespaced_pod("lab-b", pod("lab-b", "elsewhere"))
    events = list(
        watch.Watch().stream(
            core.list_namespaced_pod, "lab-a", resource_version=since, timeout_seconds=1
        )
    )

    assert [(e["type"], e["object"].metadata.name) for e in events] == [
        ("ADDED", "new"),
        ("MODIFIED", "new"),
        ("DELETED", "new"),
    ]
    versions = [int(e["object"].metadata.resource_version) for e in events]
    assert versions == sorted(versions) and versions[0] > int(since)


def test_it_starts_a_watch_without_version_with_the_current_objects(
    simulator_server: SimulatorFactory,
) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=3)})
    core = client.CoreV1Api(sim.api_client())

    events = list(watch.Watch().stream(core.list_namespaced_pod, "lab-a", timeout_seconds=1))

    assert [(e["type"], e["object"].metadata.name) for e in events] == [
        ("ADDED", "pod-00"),
        ("ADDED", "pod-01"),
        ("ADDED", "pod-02"),
    ]


def test_it_filters_watch_events_by_label(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=4)})
    core = client.CoreV1Api(sim.api_client())

    events = list(
        watch.Watch().stream(
            core.list_pod_for_all_namespaces, label_selector="tier=t1", timeout_seconds=1
        )
    )

    assert [e["object"].metadata.name for e in events] == ["pod-01", "pod-03"]


def test_it_sends_bookmarks(simulator_server: SimulatorFactory) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=1)})
    sim.servers["c1"].resources.bookmark_interval = 0.2
    api_client = sim.api_client()
    rv = client.CoreV1Api(api_client).list_namespaced_pod("lab-a").metadata.resource_version

    response = api_client.call_api(
        "/api/v1/namespaces/lab-a/pods",
        "GET",
        auth_settings=["BearerToken"],
        query_params=[
            ("watch", "true"),
            ("resourceVersion", rv),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", "1"),
        ],
        _preload_content=False,
    )
    events = [orjson.loads(line) for line in response.data.splitlines()]

    assert len(events) >= 3 and {e["type"] for e in events} == {"BOOKMARK"}
    assert events[0]["object"]["metadata"]["resourceVersion"] == rv


def test_it_answers_a_too_old_resource_version_with_410(simulator_server: SimulatorFactory) -> None:
    store = small_store(pods=2)
    sim = simulator_server(stores={"c1": store})
    core = client.CoreV1Api(sim.api_client())
    old = core.list_namespaced_pod("lab-a").metadata.resource_version
    core.delete_namespaced_pod("pod-00", "lab-a")
    store.compact()

    with pytest.raises(ApiException) as error:
        list(
            watch.Watch().stream(
                core.list_namespaced_pod, "lab-a", resource_version=old, timeout_seconds=1
            )
        )

    assert error.value.status == 410


def test_it_reports_objects_leaving_and_entering_a_selection(
    simulator_server: SimulatorFactory,
) -> None:
    sim = simulator_server(stores={"c1": small_store(pods=2)})
    core = client.CoreV1Api(sim.api_client())
    since = core.list_namespaced_pod("lab-a").metadata.resource_version

    core.patch_namespaced_pod("pod-00", "lab-a", {"metadata": {"labels": {"tier": "t9"}}})
    core.patch_namespaced_pod("pod-01", "lab-a", {"metadata": {"labels": {"tier": "t0"}}})
    core.patch_namespaced_pod("pod-01", "lab-a", {"metadata": {"labels": {"extra": "1"}}})
    events = list(
        watch.Watch().stream(
            core.list_namespaced_pod,
            "lab-a",
            label_selector="tier=t0",
            resource_version=since,
            timeout_seconds=1,
        )
    )

    assert [(e["type"], e["object"].metadata.name) for e in events] == [
        ("DELETED", "pod-00"),
        ("ADDED", "pod-01"),
        ("MODIFIED", "pod-01"),
    ]
