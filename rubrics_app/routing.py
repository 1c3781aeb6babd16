"""Websocket routes of this app, gathered by stargate.routing."""

from __future__ import annotations

from typing import Any

from django.urls import path

from rubrics_app.consumers import ProposalQueueConsumer

websocket_urlpatterns: list[Any] = [path("ws/proposals/", ProposalQueueConsumer.as_asgi())]
