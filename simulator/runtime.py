"""Run simulated clusters on a background event loop thread, from tests, benches and commands."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import threading
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from simulator.client_config import write_kubeconfig
from simulator.controllers import Controllers
from simulator.server import ClusterServer
from simulator.store import Store
from simulator.tls import server_context, write_certificates

T = TypeVar("T")
CALL_TIMEOUT = 30.0


class Simulator:
    """Simulated cluster APIs on loopback, one port per cluster, served from a private loop.

    Use `run_in_thread(...)` or `with Simulator(stores) as sim:`; every method is thread-safe.
    """

    def __init__(
        self,
        stores: Mapping[str, Store],
        *,
        token: str | None = None,
        directory: Path | None = None,
        tls: bool = True,
        controller_delay: float = 0.1,
        anarchy_delay: float = 0.5,
        namespace_delay: float = 1.0,
    ) -> None:
        self.token = token or secrets.token_urlsafe(24)
        self.directory = directory or Path(tempfile.mkdtemp(prefix="stargate-sim-"))
        self.stores = dict(stores)
        self.servers: dict[str, ClusterServer] = {}  # filled on start, one per store
        self._delays = (controller_delay, anarchy_delay, namespace_delay)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="simulator", daemon=True
        )
        self._started = False
        self.ca_path: Path | None = None
        self._ssl = None
        if tls:
            self.ca_path, cert, key = write_certificates(self.directory / "tls")
            self._ssl = server_context(cert, key)

    def start(self) -> Simulator:
        self._thread.start()
        self.call(self._start())
        self._started = True
        return self

    async def before_serving(self) -> None:
        """Hook for subclasses: runs on the loop before the cluster APIs listen."""

    async def _start(self) -> None:
        await self.before_serving()
        delay, anarchy, namespace = self._delays
        for name, store in self.stores.items():
            Controllers(store, self._schedule, delay, anarchy, namespace)
            self.servers[name] = ClusterServer(name, store, self.token)
            await self.servers[name].start(ssl_context=self._ssl)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self.call(self.after_serving())
        self.call(_cancel_pending())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=CALL_TIMEOUT)
        self._loop.close()

    async def after_serving(self) -> None:
        for server in self.servers.values():
            await server.stop()

    def __enter__(self) -> Simulator:
        return self if self._started else self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    @property
    def clusters(self) -> list[str]:
        return list(self.servers)

    def url(self, cluster: str | None = None) -> str:
        """The API URL of `cluster` (by default the first one)."""
        return self.servers[cluster or self.clusters[0]].url

    def store(self, cluster: str | None = None) -> Store:
        return self.stores[cluster or self.clusters[0]]

    def kubeconfig_path(self, cluster: str | None = None) -> Path:
        """A kubeconfig for `cluster` (by default the first one), written on each call."""
        name = cluster or self.clusters[0]
        path = self.directory / f"{name}.kubeconfig"
        return write_kubeconfig(path, name, self.url(name), self.token, self.ca_path)

    def api_client(self, cluster: str | None = None) -> Any:
        """A `kubernetes.client.ApiClient` for `cluster`, built from its kubeconfig."""
        from kubernetes import config

        return config.new_client_from_config(config_file=str(self.kubeconfig_path(cluster)))

    def inject(
        self, cluster: str, mode: str, value: float | None = None, path_contains: str = ""
    ) -> None:
        """Make `cluster` misbehave; modes are listed in `simulator.faults.FAULT_MODES`."""
        self.call(self.inject_async(cluster, mode, value, path_contains))

    def heal(self, cluster: str, mode: str | None = None) -> None:
        """Stop one fault (or all of them) on `cluster`."""
        self.call(self.heal_async(cluster, mode))

    async def inject_async(
        self, cluster: str, mode: str, value: float | None = None, path_contains: str = ""
    ) -> None:
        server = self.servers[cluster]
        server.faults.inject(mode, value, path_contains)
        if mode == "refused":
            await server.refuse()

    async def heal_async(self, cluster: str, mode: str | None = None) -> None:
        server = self.servers[cluster]
        refused = "refused" in server.faults.active
        server.faults.heal(mode)
        if refused and mode in (None, "refused"):
            await server.listen()

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the simulator's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(CALL_TIMEOUT)

    def _schedule(self, delay: float, action: Callable[[], None]) -> None:
        self._loop.call_soon_threadsafe(self._loop.call_later, delay, action)


async def _cancel_pending() -> None:
    """Cancel requests still held open (hangs, watches) so the loop closes cleanly."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def run_in_thread(stores: Mapping[str, Store], **options: Any) -> Simulator:
    """Start simulated clusters for `stores` (cluster name -> Store); return the handle."""
    return Simulator(stores, **options).start()
