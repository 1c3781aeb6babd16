"""Websocket routes of this app, gathered by stargate.routing."""

from __future__ import annotations

from typing import Any

from django.urls import path

from remediation.consumers import ApprovalQueueConsumer

websocket_urlpatterns: list[Any] = [path("ws/approvals/", ApprovalQueueConsumer.as_asgi())]
