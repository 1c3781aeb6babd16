"""Who may keep a dashboard socket: not a deleted lab's watcher, not a deactivated user."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from dashboard.tests.test_consumers import headers_for, run
from labs.selectors import OPERATORS
from labs.tests import factories
from stargate import realtime, sockets
from stargate.asgi import application

pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True)]


def test_it_refuses_a_socket_for_a_soft_deleted_lab(operator_client):
    instance = factories.lab_instance(deleted_at=timezone.now())

    async def scenario():
        communicator = WebsocketCommunicator(
            application, f"/ws/labs/{instance.pk}/", headers=headers_for(operator_client)
        )
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert run(scenario) is False


def test_it_refuses_a_socket_for_an_inactive_user(operator_client, operator):
    headers = headers_for(operator_client)
    operator.is_active = False
    operator.save()

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/dashboard/", headers=headers)
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert run(scenario) is False


def _deactivate(user, *, with_signal: bool) -> None:
    if with_signal:
        user.is_active = False
        user.save()
    else:  # as another process or a bulk update would: no signal reaches this process
        type(user).objects.filter(pk=user.pk).update(is_active=False)


def _push_after_deactivation(operator_client, operator, *, with_signal: bool):
    async def scenario():
        communicator = WebsocketCommunicator(
            application, "/ws/dashboard/", headers=headers_for(operator_client)
        )
        connected, _ = await communicator.connect()
        assert connected
        await database_sync_to_async(_deactivate)(operator, with_signal=with_signal)
        await database_sync_to_async(realtime.send_html)(
            realtime.dashboard_group(OPERATORS.key), "<p>secret</p>"
        )
        output = await communicator.receive_output(timeout=3)
        await communicator.disconnect()
        return output

    return run(scenario)


def test_it_closes_the_sockets_of_a_user_when_deactivated(operator_client, operator):
    output = _push_after_deactivation(operator_client, operator, with_signal=True)
    assert output == {"type": "websocket.close", "code": sockets.CLOSE_CODE}


def test_it_rechecks_the_account_before_forwarding_a_push(operator_client, operator, monkeypatch):
    monkeypatch.setattr(sockets, "RECHECK_SECONDS", 0.0)
    output = _push_after_deactivation(operator_client, operator, with_signal=False)
    assert output == {"type": "websocket.close", "code": sockets.CLOSE_CODE}
