"""Dashboard websockets: authenticate, authorize, join a group, forward HTML fragments."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from labs import relay
from labs.models import LabInstance
from stargate import realtime


@relay.db_async
def lab_instance_visible(pk: int) -> bool:
    return LabInstance.objects.filter(pk=pk, deleted_at__isnull=True).exists()


class DashboardConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # channels is untyped
    """`/ws/dashboard/` joins the fleet-wide group; `/ws/labs/<pk>/` one lab's group.

    Every signed-in user may watch the fleet (as every page does); anonymous sockets are refused.
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
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Clients have nothing to say; whatever they send is ignored."""

    async def html_fragment(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["html"])
