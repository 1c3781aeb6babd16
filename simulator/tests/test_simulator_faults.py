"""Each fault mode, as the kubernetes client sees it."""

from __future__ import annotations

import time

import orjson
import pytest
import urllib3
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from simulator import Simulator
from simulator.tests.conftest import SimulatorFactory, pod, small_store


@pytest.fixture
def sim(simulator_server: SimulatorFactory) -> Simulator:
    return simulator_server(stores={"c1": small_store(pods=3), "c2": small_store(pods=1)})


def _core(sim: Simulator, cluster: str = "c1") -> client.CoreV1Api:
    api_client = sim.api_client(cluster)
    api_client.configuration.retries = 0
    return client.CoreV1Api(api_client)


def test_it_adds_latency(sim: Simulator) -> None:
    sim.inject("c1", "latency", 0.4)
    start = time.monotonic()
    _core(sim).list_namespace()
    slow = time.monotonic() - start
    start = time.monotonic()
    _core(sim, "c2").list_namespace()

    assert slow >= 0.4
    assert time.monotonic() - start < 0.4


def test_it_answers_500_with_a_status(sim: Simulator) -> None:
    sim.inject("c1", "error_500")

    with pytest.raises(ApiException) as error:
        _core(sim).list_namespace()

    assert error.value.status == 500 and '"reason":"InternalError"' in error.value.body


def test_it_hangs_past_the_client_timeout(sim: Simulator) -> None:
    sim.inject("c1", "hang", 3)
    start = time.monotonic()

    with pytest.raises(urllib3.exceptions.HTTPError):
        _core(sim).list_namespace(_request_timeout=(2, 0.3))

    assert time.monotonic() - start < 2
    sim.heal("c1")
    assert _core(sim).list_namespace().items


def test_it_answers_401_whatever_the_token(sim: Simulator) -> None:
    sim.inject("c1", "unauthorized")

    with pytest.raises(ApiException) as error:
        _core(sim).list_namespace()

    assert error.value.status == 401


def test_it_answers_malformed_json(sim: Simulator) -> None:
    sim.inject("c1", "malformed_json")

    response = _core(sim).list_namespace(_preload_content=False)

    assert response.status == 200
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(response.data)


def test_it_refuses_connections_then_listens_again(sim: Simulator) -> None:
    port = sim.servers["c1"].port
    sim.inject("c1", "refused")

    with pytest.raises(urllib3.exceptions.MaxRetryError) as error:
        _core(sim).list_namespace()
    sim.heal("c1")

    assert isinstance(error.value.reason, urllib3.exceptions.NewConnectionError)
    assert sim.servers["c1"].port == port
    assert _core(sim).list_namespace().items


def test_it_cuts_a_watch_stream_midway(sim: Simulator) -> None:
    core = _core(sim)
    since = core.list_namespaced_pod("lab-a").metadata.resource_version
    for i in range(5):
        core.create_namespaced_pod("lab-a", pod("lab-a", f"extra-{i}"))
    sim.inject("c1", "watch_cut", 2)
    seen: list[str] = []

    with pytest.raises(urllib3.exceptions.HTTPError):
        for event in watch.Watch().stream(
            core.list_namespaced_pod, "lab-a", resource_version=since, timeout_seconds=2
        ):
            seen.append(event["object"].metadata.name)

    assert seen == ["extra-0", "extra-1"]


def test_it_narrows_a_fault_to_matching_paths(sim: Simulator) -> None:
    sim.inject("c1", "error_500", path_contains="/pods")

    with pytest.raises(ApiException):
        _core(sim).list_namespaced_pod("lab-a")

    assert _core(sim).list_namespace().items
    sim.heal("c1", "error_500")
    assert _core(sim).list_namespaced_pod("lab-a").items
