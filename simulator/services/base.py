"""What every service simulator shares: faults, auth, paging helpers and the control endpoint.

Control (header `X-Simulator-Token: <control token>`, never subject to faults or service auth):
    GET    /_control                  {"name", "faults", "data"}
    POST   /_control/faults           {"mode", "value"?, "path_contains"?}
    DELETE /_control/faults[?mode=]
    PATCH  /_control/data             {key: value, ...}: replace top-level data entries
    POST   /_control/data/{key}       an item appended to the list `data[key]`
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import orjson
from aiohttp import web

from simulator.faults import DEFAULT_VALUES, FAULT_MODES, UnknownFault

HOST = "127.0.0.1"
CONTROL_HEADER = "X-Simulator-Token"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SERVICE_FAULT_MODES = {
    **{k: v for k, v in FAULT_MODES.items() if k != "watch_cut"},
    "broken_next": "paged answers carry a `next` link that leads nowhere (404)",
    "slow_pages": "seconds added before every page after the first",
}
MALFORMED = b'{"count": 3, "results": [{"id": 1, "na'


@dataclass
class ServiceFaults:
    """The faults active on one service; `path_contains` narrows them to matching paths."""

    active: dict[str, float] = field(default_factory=dict)
    path_contains: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def inject(self, mode: str, value: float | None = None, path_contains: str = "") -> None:
        if mode not in SERVICE_FAULT_MODES:
            known = ", ".join(SERVICE_FAULT_MODES)
            raise UnknownFault(f"unknown fault {mode!r}; known: {known}")
        default = DEFAULT_VALUES.get(mode, 1.0)
        with self._lock:
            self.active[mode] = default if value is None else value
            self.path_contains = path_contains

    def heal(self, mode: str | None = None) -> None:
        with self._lock:
            if mode is None:
                self.active.clear()
                self.path_contains = ""
            else:
                self.active.pop(mode, None)

    def applies(self, mode: str, path: str) -> bool:
        return mode in self.active and self.path_contains in path


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")


def is_later_page(request: web.Request) -> bool:
    page = request.query.get("page", "1")
    offset = request.query.get("offset", "0")
    return (page.isdigit() and int(page) > 1) or (offset.isdigit() and int(offset) > 0)


class ServiceServer:
    """One simulated service on loopback. Subclasses add `routes()` and may override `authorized`
    and `error` (the service's own error shape)."""

    kind = "service"

    def __init__(self, name: str, data: dict[str, Any], control_token: str) -> None:
        self.name = name
        self.data = data
        self.control_token = control_token
        self.faults = ServiceFaults()
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    # --- what subclasses provide ---------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        return []

    def authorized(self, request: web.Request) -> bool:
        return True

    def error(self, status: int, message: str) -> web.Response:
        return json_response({"detail": message}, status=status)

    def credentials(self) -> dict[str, Any]:
        """What a client needs besides the URL (written to services.json)."""
        return {}

    # --- serving -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        app.add_routes(self._control_routes())
        app.add_routes(self.routes())
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        await self.listen(0)

    async def listen(self, port: int | None = None) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(
            self._runner, HOST, self.port if port is None else port, reuse_address=True
        )
        await self._site.start()
        self.port = int(self._runner.addresses[-1][1])

    async def refuse(self) -> None:
        if self._site is not None:
            await self._site.stop()
            self._site = None

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def inject(self, mode: str, value: float | None = None, path_contains: str = "") -> None:
        self.faults.inject(mode, value, path_contains)
        if mode == "refused":
            await self.refuse()

    async def heal(self, mode: str | None = None) -> None:
        refused = "refused" in self.faults.active
        self.faults.heal(mode)
        if refused and mode in (None, "refused"):
            await self.listen()

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_control"):
            if not hmac.compare_digest(
                request.headers.get(CONTROL_HEADER, "").encode(), self.control_token.encode()
            ):
                return json_response({"detail": "bad control token"}, status=401)
            return await handler(request)
        faulted = await self._fault(request)
        if faulted is not None:
            return faulted
        if not self.authorized(request):
            return self.error(401, "Authentication credentials were not provided or are invalid.")
        return await handler(request)

    async def _fault(self, request: web.Request) -> web.StreamResponse | None:
        path, faults = request.path, self.faults
        if faults.applies("latency", path):
            await asyncio.sleep(faults.active["latency"])
        if faults.applies("slow_pages", path) and is_later_page(request):
            await asyncio.sleep(faults.active["slow_pages"])
        if faults.applies("hang", path):
            await asyncio.sleep(faults.active["hang"])
        if faults.applies("unauthorized", path):
            return self.error(401, "Invalid credentials.")
        if faults.applies("error_500", path):
            return self.error(500, "simulated internal error")
        if faults.applies("malformed_json", path):
            return web.Response(body=self.malformed_body(path), content_type="application/json")
        return None

    def malformed_body(self, path: str) -> bytes:
        return MALFORMED

    def broken_next(self, request: web.Request) -> bool:
        return self.faults.applies("broken_next", request.path)

    # --- control -------------------------------------------------------------------------------

    def _control_routes(self) -> list[web.RouteDef]:
        async def state(request: web.Request) -> web.Response:
            return json_response(
                {"name": self.name, "faults": self.faults.active, "data": self.data}
            )

        async def inject(request: web.Request) -> web.Response:
            body = await request.json()
            value = body.get("value")
            try:
                await self.inject(
                    body["mode"],
                    None if value is None else float(value),
                    str(body.get("path_contains", "")),
                )
            except (KeyError, UnknownFault, ValueError) as error:
                return json_response({"detail": str(error)}, status=400)
            return json_response({"faults": self.faults.active})

        async def heal(request: web.Request) -> web.Response:
            await self.heal(request.query.get("mode"))
            return json_response({"faults": self.faults.active})

        async def patch(request: web.Request) -> web.Response:
            body = await request.json()
            if not isinstance(body, dict):
                return json_response({"detail": "expected an object"}, status=400)
            self.data.update(body)
            return json_response({"keys": sorted(body)})

        async def append(request: web.Request) -> web.Response:
            key = request.match_info["key"]
            if not isinstance(self.data.get(key), list):
                return json_response({"detail": f"no list {key!r}"}, status=404)
            self.data[key].append(await request.json())
            return json_response({"count": len(self.data[key])}, status=201)

        return [
            web.get("/_control", state),
            web.post("/_control/faults", inject),
            web.delete("/_control/faults", heal),
            web.patch("/_control/data", patch),
            web.post("/_control/data/{key}", append),
        ]


def page_url(base: str, path: str, query: dict[str, Any]) -> str:
    return f"{base}{path}?{urlencode(query)}"


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True)
