"""Showroom pages of the simulated labs, served on loopback so showroom checks are real probes.

A lab's showroom Route keeps its realistic `spec.host`; its annotation
`simulator.stargate.dev/url` holds http://127.0.0.1:<port>/<cluster>/<namespace>/, where this
server answers `readyz` and the content page according to the lab's showroom state.
"""

from __future__ import annotations

from collections.abc import MutableMapping

from aiohttp import web

ROUTER_DOWN = """<html><body><h1>Application is not available</h1>
<p>The application is currently not serving requests at this endpoint.</p></body></html>"""

CONTENT = """<!DOCTYPE html><html><head><title>{namespace} - Lab guide</title></head>
<body><nav class="nav-menu">Modules</nav><article class="doc">
<h1>Welcome to the {namespace} lab</h1><p>Module 1: Getting started.</p></article></body></html>"""

MISSING = """<!DOCTYPE html><html><head><title>Showroom</title></head>
<body><h1>Page Not Found</h1><p>The page you're looking for does not exist.</p></body></html>"""

States = MutableMapping[tuple[str, str], str]


def showroom_routes(states: States) -> list[web.RouteDef]:
    """Routes answering /<cluster>/<namespace>/ and /<cluster>/<namespace>/readyz."""

    async def readyz(request: web.Request) -> web.Response:
        state = states.get((request.match_info["cluster"], request.match_info["namespace"]))
        if state is None or state == "down":
            return web.Response(status=503, text=ROUTER_DOWN, content_type="text/html")
        if state == "not_ready":
            return web.Response(status=503, text="not ready: content is still loading")
        return web.Response(text="ok")

    async def page(request: web.Request) -> web.Response:
        namespace = request.match_info["namespace"]
        state = states.get((request.match_info["cluster"], namespace))
        if state is None or state in ("down", "not_ready"):
            return web.Response(status=503, text=ROUTER_DOWN, content_type="text/html")
        if state == "content_missing":
            return web.Response(status=404, text=MISSING, content_type="text/html")
        return web.Response(text=CONTENT.format(namespace=namespace), content_type="text/html")

    return [
        web.get("/{cluster}/{namespace}/readyz", readyz),
        web.get("/{cluster}/{namespace}/", page),
        web.get("/{cluster}/{namespace}", page),
    ]
