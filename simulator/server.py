"""One simulated cluster API: an aiohttp application with auth, faults, discovery and resources."""

from __future__ import annotations

import hmac
import ssl
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from simulator import discovery
from simulator.api import ResourceApi
from simulator.faults import Faults, fault_response
from simulator.paths import parse_path
from simulator.status import json_response, status_response
from simulator.store import Store

HOST = "127.0.0.1"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC_PATHS = ("/version", "/healthz", "/readyz", "/livez")


class ClusterServer:
    """The API server of one simulated cluster, listening on loopback."""

    def __init__(self, name: str, store: Store, token: str, faults: Faults | None = None) -> None:
        self.name = name
        self.store = store
        self.token = token
        self.faults = faults or Faults()
        self.resources = ResourceApi(store, self.faults)
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._ssl: ssl.SSLContext | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self._ssl else 'http'}://{HOST}:{self.port}"

    def application(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware], client_max_size=32 * 1024**2)
        app.router.add_route("*", "/{tail:.*}", self._route)
        return app

    async def start(self, port: int = 0, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl = ssl_context
        self._runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await self.listen(port)

    async def listen(self, port: int | None = None) -> None:
        """Open the listening socket (again, on the same port, after `refuse`)."""
        assert self._runner is not None
        self._site = web.TCPSite(
            self._runner,
            HOST,
            self.port if port is None else port,
            ssl_context=self._ssl,
            reuse_address=True,
        )
        await self._site.start()
        sockets = self._runner.addresses
        self.port = int(sockets[-1][1]) if sockets else self.port

    async def refuse(self) -> None:
        """Close the listening socket so that new connections are refused."""
        if self._site is not None:
            await self._site.stop()
            self._site = None

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        faulted = await fault_response(self.faults, request)
        if faulted is not None:
            return faulted
        if request.path not in PUBLIC_PATHS and not self._authorized(request):
            return status_response(401, "Unauthorized", "Unauthorized")
        response: web.StreamResponse = await handler(request)
        return response

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return hmac.compare_digest(header.encode(), f"Bearer {self.token}".encode())

    async def _route(self, request: web.Request) -> web.StreamResponse:
        path = request.path.rstrip("/") or "/"
        document = self._discovery(path)
        if document is not None:
            return json_response(document)
        if path in ("/healthz", "/readyz", "/livez"):
            return web.Response(text="ok")
        target = parse_path(path)
        if target is None:
            return status_response(
                404, "NotFound", "the server could not find the requested resource"
            )
        return await self.resources.handle(request, target)

    def _discovery(self, path: str) -> Mapping[str, object] | None:
        parts = [p for p in path.split("/") if p]
        if path == "/version":
            return discovery.VERSION
        if path == "/api":
            return discovery.api_versions(f"{HOST}:{self.port}")
        if path == "/api/v1":
            return discovery.resource_list("", "v1")
        if path == "/apis":
            return discovery.api_group_list()
        if len(parts) == 2 and parts[0] == "apis":
            return discovery.api_group(parts[1])
        if len(parts) == 3 and parts[0] == "apis":
            return discovery.resource_list(parts[1], parts[2])
        return None
