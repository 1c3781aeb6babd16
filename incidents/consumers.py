from __future__ import annotations

from channels.generic.websocket import AsyncWebsocketConsumer

from incidents.broadcast import GROUP
from stargate import relay
from stargate.sockets import CLOSE_CODE, UserBoundSocket


class IncidentsConsumer(UserBoundSocket, AsyncWebsocketConsumer):  # type: ignore[misc]
    """Pushes refresh triggers to signed-in users' incident pages; each page then fetches its
    own user-scoped fragment. Anonymous sockets are closed. Receives nothing."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        await relay.ensure_started()  # embedded mode: workers' broadcasts come through the relay
        await self.user_group_join()
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.user_group_leave()
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def html_fragment(self, event: dict[str, str]) -> None:
        if not await self.user_still_active():
            await self.close(code=CLOSE_CODE)
            return
        await self.send(text_data=event["html"])
