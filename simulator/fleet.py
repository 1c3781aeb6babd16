"""A generated fleet, served: cluster APIs, showroom pages, controls, live lab failures."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

from simulator.builders import ROUTE_URL_ANNOTATION
from simulator.control import control_routes
from simulator.controllers import HANDLES, POOLS, pool_status_refresh, pool_unclaimed_handles
from simulator.failures import LAB_FAILURES
from simulator.generator import Fleet
from simulator.kinds import Kind, kind_for_object
from simulator.platform import NODE_FAILURES, POOL_NAMESPACE
from simulator.runtime import Simulator
from simulator.server import HOST
from simulator.showroom import showroom_routes
from simulator.store import Change, Listener, Obj, Store
from simulator.transport import ShowroomTransport


class FleetSimulator(Simulator):
    """Serves a generated `Fleet`: one API per cluster plus one HTTP server on loopback for the
    showroom pages (/<cluster>/<namespace>/) and the control endpoint (/_control)."""

    def __init__(
        self, fleet: Fleet, extra_stores: Mapping[str, Store] | None = None, **options: Any
    ) -> None:
        super().__init__({}, **options)
        self.fleet = fleet
        self.extra_stores = dict(extra_stores or {})
        self.showroom_states = dict(fleet.showroom)
        self.lab_failures = {(lab.cluster, lab.namespace): lab.failure for lab in fleet.labs}
        self.node_failures = {(c, node): kind for c, node, kind in fleet.node_failures}
        self.http_port = 0
        self._http: web.AppRunner | None = None

    @property
    def http_url(self) -> str:
        """Base URL of the showroom pages and of /_control."""
        return f"http://{HOST}:{self.http_port}"

    async def before_serving(self) -> None:
        app = web.Application()
        app.add_routes(control_routes(self))
        app.add_routes(showroom_routes(self.showroom_states))
        self._http = web.AppRunner(app, access_log=None)
        await self._http.setup()
        site = web.TCPSite(self._http, HOST, 0)
        await site.start()
        self.http_port = int(self._http.addresses[0][1])
        for objects in self.fleet.objects.values():
            for obj in objects:
                self._absolute_url(obj)
        self.stores = {**self.fleet.stores(), **self.extra_stores}
        for cluster, store in self.stores.items():
            if cluster not in self.extra_stores:
                store.add_listener(self._showroom_recovery(cluster))

    def _showroom_recovery(self, cluster: str) -> Listener:
        """A showroom page that was down or not ready serves again once its deployment's pods
        are all ready (a restarted pod or a rollout restart), as on a real cluster; missing
        content stays missing."""

        def on_change(store: Store, kind: Kind, change: Change) -> None:
            obj = change.obj
            if obj.get("kind") != "Deployment" or obj["metadata"]["name"] != "showroom":
                return
            key = (cluster, obj["metadata"].get("namespace", ""))
            status = obj.get("status") or {}
            ready = status.get("readyReplicas", 0) >= max(1, status.get("replicas", 1))
            if ready and self.showroom_states.get(key) in {"down", "not_ready"}:
                self.showroom_states[key] = "ok"
                self._endpoints_restore(store, cluster, key[1])

        return on_change

    def _endpoints_restore(self, store: Store, cluster: str, namespace: str) -> None:
        """The showroom Service's endpoints come back with its ready pods (as the endpoints
        controller would fill them)."""
        healthy = self.fleet.build(self.fleet.lab(cluster, namespace), "").showroom_endpoints
        kind = kind_for_object(healthy)
        if kind is None:
            return
        current = store.get(kind, namespace, healthy["metadata"]["name"])
        if current is not None and current.get("subsets") != healthy.get("subsets"):
            store.update(kind, {**copy.deepcopy(current), "subsets": healthy.get("subsets", [])})

    async def after_serving(self) -> None:
        await super().after_serving()
        if self._http is not None:
            await self._http.cleanup()

    def _absolute_url(self, obj: Obj) -> None:
        annotations = obj["metadata"].get("annotations") or {}
        url = annotations.get(ROUTE_URL_ANNOTATION, "")
        if obj["kind"] == "Route" and url.startswith("/"):
            annotations[ROUTE_URL_ANNOTATION] = f"{self.http_url}{url}"

    def showroom_url(self, cluster: str, namespace: str) -> str:
        return f"{self.http_url}/{cluster}/{namespace}/"

    def showroom_client(self, **options: Any) -> httpx.Client:
        """An httpx client that reaches the simulated showroom pages by their route hosts."""
        return httpx.Client(transport=ShowroomTransport(self.http_url), **options)

    def break_lab(self, cluster: str, namespace: str, failure: str) -> None:
        """Give a running lab `failure` (a key of LAB_FAILURES), as watch events."""
        if failure not in LAB_FAILURES:
            raise ValueError(f"unknown lab failure {failure!r}")
        self._rebuild(cluster, namespace, failure)

    def heal_lab(self, cluster: str, namespace: str) -> None:
        """Put a lab back to its healthy, generated state."""
        self._rebuild(cluster, namespace, "")

    def break_node(self, cluster: str, node: str, failure: str) -> None:
        """Give a node `failure` (node_not_ready or node_high_cpu), as watch events."""
        if failure not in NODE_FAILURES:
            raise ValueError(f"unknown node failure {failure!r}")
        self._rebuild_node(cluster, node, failure)

    def heal_node(self, cluster: str, node: str) -> None:
        self._rebuild_node(cluster, node, "")

    def drain_pool(self, cluster: str, pool: str, available: int) -> None:
        """Leave `pool` (in the Poolboy namespace) `available` unclaimed handles, as if attendees
        had claimed the rest; `minAvailable` is kept, so nothing refills it until it changes."""
        store = self.stores[cluster]
        if store.get(POOLS, POOL_NAMESPACE, pool) is None:
            raise KeyError(f"no pool {pool} on {cluster}")
        for handle in pool_unclaimed_handles(store, POOL_NAMESPACE, pool)[max(available, 0) :]:
            store.delete(HANDLES, POOL_NAMESPACE, handle["metadata"]["name"])
        pool_status_refresh(store, POOL_NAMESPACE, pool)

    def _rebuild_node(self, cluster: str, node: str, failure: str) -> None:
        try:
            old = self.fleet.build_node(cluster, node, self.node_failures.get((cluster, node), ""))
        except StopIteration as error:
            raise KeyError(f"no node {node} on {cluster}") from error
        replace_objects(self.stores[cluster], old, self.fleet.build_node(cluster, node, failure))
        self.node_failures[(cluster, node)] = failure

    def _rebuild(self, cluster: str, namespace: str, failure: str) -> None:
        record = self.fleet.lab(cluster, namespace)
        old = self.fleet.build(record, self.lab_failures[(cluster, namespace)]).objects()
        lab = self.fleet.build(record, failure)
        new = lab.objects()
        for obj in new:
            self._absolute_url(obj)
        replace_objects(self.stores[cluster], old, new)
        self.lab_failures[(cluster, namespace)] = failure
        self.showroom_states[(cluster, namespace)] = lab.showroom_state

    def state(self) -> dict[str, Any]:
        mix: dict[str, int] = {}
        for failure in [*self.lab_failures.values(), *self.node_failures.values()]:
            if failure:
                mix[failure] = mix.get(failure, 0) + 1
        return {
            "clusters": {
                name: {"url": self.url(name), "faults": dict(s.faults.active)}
                for name, s in self.servers.items()
            },
            "http_url": self.http_url,
            "failure_mix": dict(sorted(mix.items())),
            "broken_labs": {f"{c}/{ns}": f for (c, ns), f in self.lab_failures.items() if f},
            "broken_nodes": {f"{c}/{n}": f for (c, n), f in self.node_failures.items() if f},
        }


def replace_objects(store: Store, old: list[Obj], new: list[Obj]) -> None:
    """Turn `old` into `new` in the store: delete, create and update, each a watch event."""
    wanted = {_key(obj): obj for obj in new}
    for obj in old:
        kind, namespace, name = _key(obj)
        if (kind, namespace, name) not in wanted and store.get(kind, namespace, name):
            store.delete(kind, namespace, name)
    for (kind, namespace, name), obj in wanted.items():
        current = store.get(kind, namespace, name)
        fresh = copy.deepcopy(obj)
        if current is None:
            store.create(kind, fresh)
        else:
            fresh["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            if fresh != current:
                store.update(kind, fresh)


def _key(obj: Obj) -> Any:
    kind = kind_for_object(obj)
    assert kind is not None
    namespace = obj["metadata"].get("namespace", "") if kind.namespaced else ""
    return kind, namespace, obj["metadata"]["name"]


def fleet_simulator(
    fleet: Fleet,
    directory: Path | None = None,
    extra_stores: Mapping[str, Store] | None = None,
    **options: Any,
) -> FleetSimulator:
    """Start serving `fleet` (and any `extra_stores`, e.g. captures) and return the handle."""
    sim = FleetSimulator(fleet, extra_stores, directory=directory, **options)
    sim.start()
    return sim
