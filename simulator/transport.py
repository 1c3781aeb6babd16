"""An httpx transport that sends requests for simulated route hosts to the loopback showroom server.

Generated showroom routes keep realistic hosts (`showroom-<ns>.apps.<cluster>.example.com`), which
resolve nowhere. A probe given `httpx.Client(transport=ShowroomTransport(http_url))` reaches the
simulated pages with those very URLs; any other host goes out unchanged.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

ROUTE_HOST = re.compile(r"^showroom-(?P<namespace>[a-z0-9-]+)\.apps\.(?P<cluster>[a-z0-9-]+)\.")


class ShowroomTransport(httpx.HTTPTransport):
    def __init__(self, http_url: str, **options: Any) -> None:
        super().__init__(**options)
        self.base = httpx.URL(http_url)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        match = ROUTE_HOST.match(request.url.host)
        if match is not None:
            path = f"/{match['cluster']}/{match['namespace']}/{request.url.path.lstrip('/')}"
            request.url = self.base.copy_with(path=path, query=request.url.query or None)
            request.headers["Host"] = request.url.netloc.decode()
        return super().handle_request(request)


class SimulatedTransport(httpx.BaseTransport):
    """The simulator's route hosts to its loopback pages; every other host to the guard."""

    def __init__(self, simulator: httpx.BaseTransport, *, guarded: httpx.BaseTransport) -> None:
        self.simulator, self.guarded = simulator, guarded

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if ROUTE_HOST.match(request.url.host):
            return self.simulator.handle_request(request)
        return self.guarded.handle_request(request)

    def close(self) -> None:
        self.simulator.close()
        self.guarded.close()
