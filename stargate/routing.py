"""Every app's websocket routes, gathered in one list for the ASGI router."""

from __future__ import annotations

from typing import Any

from dashboard.routing import websocket_urlpatterns as dashboard_ws
from incidents.routing import websocket_urlpatterns as incidents_ws
from remediation.routing import websocket_urlpatterns as remediation_ws
from rubrics_app.routing import websocket_urlpatterns as rubrics_ws
from scanning.routing import websocket_urlpatterns as scanning_ws

websocket_urlpatterns: list[Any] = [
    *dashboard_ws,
    *scanning_ws,
    *rubrics_ws,
    *remediation_ws,
    *incidents_ws,
]
