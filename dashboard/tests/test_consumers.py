from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from dashboard.tests import live_driver
from labs.models import Status
from labs.tests import factories
from stargate import relay
from stargate.asgi import application
from stargate.models import LiveEvent

pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True)]

ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def run(scenario):
    """Run an async scenario in a thread of its own: once Playwright has run in this session,
    the main thread holds an event loop, where async_to_sync refuses to work."""

    def work():
        try:
            return async_to_sync(scenario)()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def headers_for(client) -> list[tuple[bytes, bytes]]:
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    return [*ORIGIN, (b"cookie", cookie)]


def test_it_refuses_anonymous_sockets():
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/dashboard/", headers=ORIGIN)
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert run(scenario) is False


def test_it_refuses_a_lab_that_does_not_exist(operator_client):
    async def scenario():
        communicator = WebsocketCommunicator(
            application, "/ws/labs/999999/", headers=headers_for(operator_client)
        )
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert run(scenario) is False


def change_and_receive(operator_client, path_for, timeout=2.0):
    instance = factories.lab_instance(status=Status.READY)

    async def scenario():
        communicator = WebsocketCommunicator(
            application, path_for(instance), headers=headers_for(operator_client)
        )
        connected, _ = await communicator.connect()
        assert connected
        await database_sync_to_async(live_driver.fail)(instance.namespace)
        messages = [await communicator.receive_from(timeout=timeout)]
        while not await communicator.receive_nothing(timeout=0.3):
            messages.append(await communicator.receive_from())
        await communicator.disconnect()
        await relay.stop()
        return "\n".join(messages)

    return instance, run(scenario)


@pytest.mark.skipif(not os.environ.get("STARGATE_REDIS_URL"), reason="needs the Redis layer")
def test_it_forwards_dashboard_fragments_through_redis(operator_client, settings):
    assert "Redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"]
    instance, html = change_and_receive(operator_client, lambda _: "/ws/dashboard/")
    assert f'id="lab-row-{instance.pk}"' in html
    assert "✖</span> Failed" in html
    assert 'id="status-counters" aria-label="Labs by status" hx-swap-oob="true"' in html
    assert "crashloop" in html
    assert not LiveEvent.objects.exists()


def test_it_forwards_lab_fragments_to_the_lab_group(operator_client):
    instance, html = change_and_receive(operator_client, lambda i: f"/ws/labs/{i.pk}/")
    assert f'id="lab-{instance.pk}-summary" hx-swap-oob="true"' in html
    assert "Failed" in html


def test_it_relays_live_events_with_the_in_memory_layer(operator_client, settings):
    settings.CHANNEL_LAYERS = IN_MEMORY
    instance, html = change_and_receive(operator_client, lambda _: "/ws/dashboard/")
    assert f'id="lab-row-{instance.pk}"' in html
    event = LiveEvent.objects.get()
    assert (event.topic, event.ids) == ("labs", [instance.pk])
