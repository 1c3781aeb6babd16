"""Start simulated clusters in tests (scanning and remediation tests import these too).

    def test_something(simulator_server):
        sim = simulator_server(stores={"c1": store})  # or fleet=generate_fleet(spec),
                                                      # or captures=<capture directory>
        api = kubernetes.client.CoreV1Api(sim.api_client("c1"))
        sim.url("c1"), sim.token, sim.kubeconfig_path("c1"), sim.store("c1")
        sim.inject("c1", "error_500"); sim.heal("c1")

With fleet=, the handle is a `simulator.fleet.FleetSimulator`, which adds
`.fleet` (the generated labs and failure mix), `.break_lab(cluster, ns, failure)`,
`.heal_lab(cluster, ns)`, `.break_node(cluster, node, failure)`, `.heal_node(cluster, node)`,
`.showroom_url(cluster, ns)`, `.showroom_client()` and `.http_url` (showroom pages, /_control).

Every simulator started through the factory stops at the end of the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from simulator import Simulator, Store, run_in_thread

SimulatorFactory = Callable[..., Simulator]


@pytest.fixture
def simulator_server(tmp_path: Path) -> Iterator[SimulatorFactory]:
    """Factory fixture: `simulator_server(stores=... | fleet=... | captures=..., **options)`.

    Options go to `Simulator` (token, tls, controller_delay, anarchy_delay, namespace_delay).
    """
    started: list[Simulator] = []

    def start(
        *,
        stores: Mapping[str, Store] | None = None,
        fleet: Any = None,
        captures: Path | None = None,
        **options: Any,
    ) -> Simulator:
        if captures is not None:
            from simulator.captures import captures_store

            stores = {**(stores or {}), "captured": captures_store(captures)}
        if fleet is not None:
            from simulator.fleet import fleet_simulator

            sim = fleet_simulator(fleet, directory=tmp_path / f"sim{len(started)}", **options)
        else:
            assert stores is not None, "pass stores= or fleet="
            options.setdefault("directory", tmp_path / f"sim{len(started)}")
            sim = run_in_thread(stores, **options)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


def pod(namespace: str, name: str, phase: str = "Running", **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"containers": [{"name": "app", "image": "quay.io/example/app:1"}]},
        "status": {"phase": phase},
    }


def namespace(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name},
        "status": {"phase": "Active"},
    }


def small_store(pods: int = 25) -> Store:
    """Two namespaces; `pods` pods in "lab-a" (every third one Pending), one in "lab-b"."""
    store = Store("small")
    store.load([namespace("lab-a"), namespace("lab-b")])
    store.load(
        pod("lab-a", f"pod-{i:02d}", "Pending" if i % 3 == 0 else "Running", tier=f"t{i % 2}")
        for i in range(pods)
    )
    store.load([pod("lab-b", "lonely", tier="t0")])
    return store


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.05) -> Any:
    """Poll until `predicate()` is truthy (returning it) or fail after `timeout` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            assert result, f"condition not met within {timeout} s"
            return result
        time.sleep(interval)


@pytest.fixture(scope="module")
def platform_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The HTTP service simulators for a small fleet (2 clusters x 20 labs, 30 % broken), shared
    by a module's tests; every fault is healed after each test (`services` fixture)."""
    from datetime import UTC, datetime

    from simulator.generator import FleetSpec, generate_fleet
    from simulator.platform_services import start

    now = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
    spec = FleetSpec(clusters=2, namespaces=20, failure_rate=0.3, seed=7, now=now)
    services = start(generate_fleet(spec), tmp_path_factory.mktemp("services"))
    yield services
    services.stop()


@pytest.fixture
def services(platform_services: Any) -> Iterator[Any]:
    yield platform_services
    for name in platform_services.servers:
        platform_services.heal(name)
