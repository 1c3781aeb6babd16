from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from stargate import realtime, relay
from stargate.sockets import CLOSE_CODE, UserBoundSocket


def _can_approve(user: Any) -> bool:
    return bool(user.has_perm("remediation.approve_actionrequest"))


can_approve = database_sync_to_async(_can_approve)


class ApprovalQueueConsumer(UserBoundSocket, AsyncWebsocketConsumer):  # type: ignore[misc]
    """Pushes approval-queue fragments to users who may approve. Receives nothing.

    Closes when its user is deactivated (stargate.sockets)."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not await can_approve(user):
            await self.close()
            return
        await relay.ensure_started()  # embedded mode: workers' broadcasts come through the relay
        await self.user_group_join()
        await self.channel_layer.group_add(realtime.APPROVALS_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.user_group_leave()
        await self.channel_layer.group_discard(realtime.APPROVALS_GROUP, self.channel_name)

    async def html_fragment(self, event: dict[str, str]) -> None:
        if not await self.user_still_active():
            await self.close(code=CLOSE_CODE)
            return
        await self.send(text_data=event["html"])
