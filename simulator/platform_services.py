"""Start every HTTP service simulator for a generated fleet, on loopback, with consistent data.

    services = start(fleet, data_dir)     # writes data_dir/services.json (owner-only)
    services.url("aap-event0"); services.credentials("aap-event0")
    services.inject("labagator", "broken_next"); services.heal("labagator")
    services.server("labagator").data["sessions"].append({...})   # or the /_control endpoint
    services.stop()

Services: `labagator`, `launchpad`, `aap-event0`, `aap-event1`, `demolition`, `sandbox_api`,
`zerotouch`, `cluster_scheduler`, `prometheus-<cluster>` (Prometheus and Alertmanager), plus the
AgnosticV repository (a `file://` URL). Fault modes: `simulator.services.base.SERVICE_FAULT_MODES`.
"""

from __future__ import annotations

import asyncio
import copy
import json
import secrets
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from simulator.babylon import platform_extras
from simulator.generator import Fleet
from simulator.runtime import Simulator
from simulator.services.aap import CONTROLLERS, AapServer, aap_data
from simulator.services.agnosticv import write_agnosticv
from simulator.services.base import CONTROL_HEADER, ServiceServer
from simulator.services.demolition import DemolitionServer, demolition_data
from simulator.services.labagator import (
    LabagatorServer,
    LaunchpadServer,
    labagator_data,
    launchpad_data,
)
from simulator.services.observability import (
    PrometheusServer,
    SchedulerServer,
    prometheus_data,
    scheduler_data,
)
from simulator.services.sandbox import SandboxApiServer, sandbox_data
from simulator.services.zerotouch import ZeroTouchServer, zerotouch_data

SERVICES_FILE = "services.json"
CALL_TIMEOUT = 30.0
T = TypeVar("T")


def _token() -> str:
    return secrets.token_urlsafe(18)


def build_servers(fleet: Fleet, control_token: str) -> list[ServiceServer]:
    servers: list[ServiceServer] = [
        LabagatorServer("labagator", labagator_data(fleet), control_token),
        LaunchpadServer("launchpad", launchpad_data(fleet, _token()), control_token),
        *[
            AapServer(f"aap-{name}", aap_data(fleet, name, _token(), _token()), control_token)
            for name in CONTROLLERS
        ],
        DemolitionServer("demolition", demolition_data(fleet), control_token),
        SandboxApiServer("sandbox_api", sandbox_data(fleet, _token(), _token()), control_token),
        ZeroTouchServer("zerotouch", zerotouch_data(fleet), control_token),
        SchedulerServer("cluster_scheduler", scheduler_data(fleet, _token()), control_token),
    ]
    servers += [
        PrometheusServer(f"prometheus-{c}", prometheus_data(fleet, c, _token()), control_token)
        for c in fleet.clusters
    ]
    return servers


class PlatformServices:
    """The running service simulators, served from a private event loop thread."""

    def __init__(self, fleet: Fleet, data_dir: Path, kubernetes: Simulator | None = None) -> None:
        self.fleet = fleet
        self.kubernetes = kubernetes
        self.data_dir = data_dir
        self.control_token = _token()
        self.servers = {s.name: s for s in build_servers(fleet, self.control_token)}
        self.agnosticv_path = data_dir / "agnosticv"
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="services", daemon=True)

    def start(self) -> PlatformServices:
        write_agnosticv(self.agnosticv_path)
        if self.kubernetes is not None and self.fleet.clusters:
            extras = platform_extras(self.fleet.spec.seed, self.fleet.clusters[0], self.fleet.now)
            for cluster, objects in extras.items():
                # loaded, not created: a creation would wake the controller that settles
                # subjects, and a stuck teardown must stay stuck
                self.kubernetes.store(cluster).load(copy.deepcopy(objects))
        self._thread.start()
        for server in self.servers.values():
            self.call(server.start())
        self.manifest_path.parent.mkdir(parents=True, exist_ok=True)
        self.manifest_path.write_text(json.dumps(self.manifest(), indent=2))
        self.manifest_path.chmod(0o600)
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        for server in self.servers.values():
            self.call(server.stop())
        self.call(_cancel_pending())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CALL_TIMEOUT)
        self._loop.close()
        self.manifest_path.unlink(missing_ok=True)

    def __enter__(self) -> PlatformServices:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def manifest_path(self) -> Path:
        return self.data_dir / SERVICES_FILE

    def server(self, name: str) -> ServiceServer:
        return self.servers[name]

    def url(self, name: str) -> str:
        return self.servers[name].url

    def credentials(self, name: str) -> dict[str, Any]:
        return self.servers[name].credentials()

    def inject(
        self, name: str, mode: str, value: float | None = None, path_contains: str = ""
    ) -> None:
        """Make one service misbehave (modes: `SERVICE_FAULT_MODES`)."""
        self.call(self.servers[name].inject(mode, value, path_contains))

    def heal(self, name: str, mode: str | None = None) -> None:
        self.call(self.servers[name].heal(mode))

    def manifest(self) -> dict[str, Any]:
        """URLs and credentials of every service (what services.json holds)."""
        return {
            "control": {"header": CONTROL_HEADER, "token": self.control_token},
            "agnosticv": {"url": self.agnosticv_path.resolve().as_uri(), "branch": "main"},
            "services": {
                name: {"kind": s.kind, "url": s.url, **s.credentials()}
                for name, s in self.servers.items()
            },
        }

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(CALL_TIMEOUT)


async def _cancel_pending() -> None:
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def start(fleet: Fleet, data_dir: Path, kubernetes: Simulator | None = None) -> PlatformServices:
    """Start every service simulator for `fleet`; their URLs and credentials go to
    `data_dir/services.json`. With `kubernetes` (the fleet's running simulator), the scenario's
    extra cluster objects (the stuck teardown) are added to it. Call `.stop()` when done."""
    return PlatformServices(fleet, data_dir, kubernetes).start()
