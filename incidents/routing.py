"""Websocket routes of this app, gathered by stargate.routing."""

from __future__ import annotations

from typing import Any

from django.urls import path

from incidents.consumers import IncidentsConsumer

websocket_urlpatterns: list[Any] = [path("ws/incidents/", IncidentsConsumer.as_asgi())]
