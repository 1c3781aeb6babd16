from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from labs.selectors import audience_of
from stargate import realtime, relay
from stargate.sockets import CLOSE_CODE, UserBoundSocket


def _approvals_group(user: Any) -> str | None:
    """The approval queue group of the user's audience; None for users who cannot approve."""
    if not user.has_perm("remediation.approve_actionrequest"):
        return None
    return realtime.approvals_group(audience_of(user).key)


approvals_group = database_sync_to_async(_approvals_group)


class ApprovalQueueConsumer(UserBoundSocket, AsyncWebsocketConsumer):  # type: ignore[misc]
    """Pushes approval-queue fragments to users who may approve: the queue of their audience
    (their teams' labs; every lab for platform operators). Receives nothing.

    Closes when its user is deactivated (stargate.sockets)."""

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.group = await approvals_group(user)
        if self.group is None:
            await self.close()
            return
        await relay.ensure_started()  # embedded mode: workers' broadcasts come through the relay
        await self.user_group_join()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.user_group_leave()
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def html_fragment(self, event: dict[str, str]) -> None:
        if not await self.user_still_active():
            await self.close(code=CLOSE_CODE)
            return
        await self.send(text_data=event["html"])
