from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

from remediation.broadcast import approval_send
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance
from stargate.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def _in_own_loop(function: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """Run on a fresh event loop in a thread: a browser test may leave Playwright's loop
    running in the test thread, where async_to_sync refuses to run."""
    results: list[Any] = []

    async def run_and_close() -> Any:
        try:
            return await function(*args)
        finally:
            # The ORM ran in asgiref's thread: close its connection there, or it outlives the
            # test database.
            await database_sync_to_async(connections.close_all)()

    thread = threading.Thread(target=lambda: results.append(asyncio.run(run_and_close())))
    thread.start()
    thread.join(timeout=60)
    return results[0]


def _headers(user=None) -> list[tuple[bytes, bytes]]:  # type: ignore[no-untyped-def]
    headers = [(b"origin", b"http://localhost")]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        headers.append((b"cookie", cookie.encode()))
    return headers


async def _connect(headers: list[tuple[bytes, bytes]]) -> tuple[bool, WebsocketCommunicator]:
    communicator = WebsocketCommunicator(application, "/ws/approvals/", headers=headers)
    connected, _ = await communicator.connect()
    return connected, communicator


async def _connects(headers: list[tuple[bytes, bytes]]) -> bool:
    connected, communicator = await _connect(headers)
    await communicator.disconnect()
    return connected


@pytest.mark.smoke
def test_it_refuses_anonymous_sockets() -> None:
    assert not _in_own_loop(_connects, _headers())


@pytest.mark.smoke
def test_it_refuses_users_who_cannot_approve(operator) -> None:
    assert not _in_own_loop(_connects, _headers(operator))


@pytest.mark.smoke
def test_it_accepts_approvers(approver) -> None:
    assert _in_own_loop(_connects, _headers(approver))


def test_it_pushes_the_queue_to_approvers(approver, catalog) -> None:
    headers = _headers(approver)

    async def scenario() -> str:
        connected, communicator = await _connect(headers)
        assert connected
        from asgiref.sync import sync_to_async

        await sync_to_async(_new_pending_request)(catalog)
        text = await communicator.receive_from(timeout=10)
        await communicator.disconnect()
        return str(text)

    text = _in_own_loop(scenario)
    assert 'id="approval-rows" hx-swap-oob="true"' in text
    assert "rollout-restart-deployment" in text
    assert '<span id="approval-count" class="badge-count" hx-swap-oob="true">1</span>' in text


@pytest.mark.smoke
def test_it_pushes_the_queue_through_the_relay_in_the_embedded_mode(
    approver, catalog, settings
) -> None:
    """In-memory layer: the decision is recorded as a LiveEvent (as by a worker process, which
    cannot reach the web process's layer) and the web process's relay delivers it."""
    from asgiref.sync import sync_to_async

    from stargate import relay
    from stargate.models import LiveEvent

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    headers = _headers(approver)

    async def scenario() -> str:
        connected, communicator = await _connect(headers)
        assert connected
        try:
            await sync_to_async(_new_pending_request)(catalog)
            return str(await communicator.receive_from(timeout=10))
        finally:
            await communicator.disconnect()
            await relay.stop()

    text = _in_own_loop(scenario)
    assert 'id="approval-rows" hx-swap-oob="true"' in text
    assert "rollout-restart-deployment" in text
    assert LiveEvent.objects.filter(topic="approvals").exists()


def _new_pending_request(catalog) -> None:  # type: ignore[no-untyped-def]
    request = action_request_create(
        lab_instance=make_lab_instance(),
        action=catalog["rollout-restart-deployment"],
        failure_class="deployment-not-ready",
        parameters={"deployment": "web"},
    )
    assert request.status == "pending"
    approval_send(request.pk)  # transaction=True: on_commit already ran; this asserts the send
