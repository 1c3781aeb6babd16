from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from stargate import relay
from stargate.sockets import CLOSE_CODE, UserBoundSocket

from .classification.broadcast import PROPOSALS_GROUP

REVIEW = "rubrics_app.review_classificationproposal"


def _can_review(user: Any) -> bool:
    return bool(user.has_perm(REVIEW))


can_review = database_sync_to_async(_can_review)


class ProposalQueueConsumer(UserBoundSocket, AsyncWebsocketConsumer):  # type: ignore[misc]
    """Pushes the review list's fragments to users who may review. Receives nothing."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not await can_review(user):
            await self.close()
            return
        await relay.ensure_started()
        await self.user_group_join()
        await self.channel_layer.group_add(PROPOSALS_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.user_group_leave()
        await self.channel_layer.group_discard(PROPOSALS_GROUP, self.channel_name)

    async def html_fragment(self, event: dict[str, str]) -> None:
        if not await self.user_still_active():
            await self.close(code=CLOSE_CODE)
            return
        await self.send(text_data=event["html"])
