"""The control endpoint: inject and heal API faults and lab failures while the fleet runs.

    GET    /_control                                     state: clusters, URLs, faults, mix
    POST   /_control/faults  {"cluster", "mode", "value"?, "path_contains"?}
    DELETE /_control/faults?cluster=...[&mode=...]
    POST   /_control/labs    {"cluster", "namespace", "failure"}
    DELETE /_control/labs?cluster=...&namespace=...
    POST   /_control/nodes   {"cluster", "node", "failure"}
    DELETE /_control/nodes?cluster=...&node=...
    POST   /_control/pools   {"cluster", "pool", "available"}    drain a pool to N handles
Every call needs `Authorization: Bearer <the simulator token>`.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from aiohttp import web

from simulator.faults import UnknownFault
from simulator.status import json_response, status_response

if TYPE_CHECKING:
    from simulator.fleet import FleetSimulator


def control_routes(sim: FleetSimulator) -> list[web.RouteDef]:
    def authorized(request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        return hmac.compare_digest(header.encode(), f"Bearer {sim.token}".encode())

    async def guarded(request: web.Request, action: Any) -> web.Response:
        if not authorized(request):
            return status_response(401, "Unauthorized", "Unauthorized")
        try:
            result: web.Response = await action(request)
        except (KeyError, UnknownFault, ValueError) as error:
            return status_response(400, "BadRequest", str(error))
        return result

    async def state(request: web.Request) -> web.Response:
        return json_response(sim.state())

    async def inject(request: web.Request) -> web.Response:
        body = await request.json()
        await sim.inject_async(
            body["cluster"],
            body["mode"],
            None if body.get("value") is None else float(body["value"]),
            str(body.get("path_contains", "")),
        )
        return json_response(sim.state())

    async def heal(request: web.Request) -> web.Response:
        await sim.heal_async(request.query["cluster"], request.query.get("mode"))
        return json_response(sim.state())

    async def break_lab(request: web.Request) -> web.Response:
        body = await request.json()
        sim.break_lab(body["cluster"], body["namespace"], body["failure"])
        return json_response(sim.state())

    async def heal_lab(request: web.Request) -> web.Response:
        sim.heal_lab(request.query["cluster"], request.query["namespace"])
        return json_response(sim.state())

    async def break_node(request: web.Request) -> web.Response:
        body = await request.json()
        sim.break_node(body["cluster"], body["node"], body["failure"])
        return json_response(sim.state())

    async def heal_node(request: web.Request) -> web.Response:
        sim.heal_node(request.query["cluster"], request.query["node"])
        return json_response(sim.state())

    async def drain_pool(request: web.Request) -> web.Response:
        body = await request.json()
        sim.drain_pool(body["cluster"], body["pool"], int(body["available"]))
        return json_response(sim.state())

    def route(method: str, path: str, action: Any) -> web.RouteDef:
        async def handler(request: web.Request) -> web.Response:
            return await guarded(request, action)

        return web.route(method, path, handler)

    return [
        route("GET", "/_control", state),
        route("POST", "/_control/faults", inject),
        route("DELETE", "/_control/faults", heal),
        route("POST", "/_control/labs", break_lab),
        route("DELETE", "/_control/labs", heal_lab),
        route("POST", "/_control/nodes", break_node),
        route("DELETE", "/_control/nodes", heal_node),
        route("POST", "/_control/pools", drain_pool),
    ]
