"""Dashboard websockets: authenticate, authorize, join a group, forward HTML fragments."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from labs.models import LabInstance
from stargate import realtime, relay
from stargate.sockets import CLOSE_CODE, UserBoundSocket


@relay.db_async
def lab_instance_visible(pk: int) -> bool:
    return LabInstance.objects.filter(pk=pk, deleted_at__isnull=True).exists()


class DashboardConsumer(UserBoundSocket, AsyncWebsocketConsumer):  # type: ignore[misc]
    """`/ws/dashboard/` joins the fleet-wide group; `/ws/labs/<pk>/` one lab's group.

    Every signed-in user may watch the fleet (as every page does); anonymous sockets, inactive
    users and deleted labs are refused, and a socket closes when its user is deactivated.
    """

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close()
            return
        pk = self.scope["url_route"]["kwargs"].get("pk")
        if pk is not None and not await lab_instance_visible(pk):
            await self.close()
            return
        self.group = realtime.DASHBOARD if pk is None else realtime.lab_group(pk)
        await relay.ensure_started()
        await self.user_group_join()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.user_group_leave()
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Clients have nothing to say; whatever they send is ignored."""

    async def html_fragment(self, event: dict[str, Any]) -> None:
        if not await self.user_still_active():
            await self.close(code=CLOSE_CODE)
            return
        await self.send(text_data=event["html"])
