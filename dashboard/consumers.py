"""Dashboard websockets: authenticate, authorize, join a group, forward HTML fragments."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from dashboard.live import lab_watch_mark
from labs import selectors as lab_selectors
from stargate import realtime, relay
from stargate.sockets import CLOSE_CODE, UserBoundSocket


@relay.db_async
def dashboard_group_of(user: Any, pk: int | None) -> str | None:
    """The group a socket of `user` joins: its audience's dashboard group, or the lab's group
    when the user sees that lab (None: refused)."""
    audience = lab_selectors.audience_of(user)
    if pk is None:
        return realtime.dashboard_group(audience.key)
    lab = lab_selectors.visible_lab_instances(audience).filter(pk=pk)
    team_ids = list(lab.values_list("lab__team_id", flat=True))
    return realtime.lab_group(pk, team_ids[0]) if team_ids else None


class DashboardConsumer(UserBoundSocket, AsyncWebsocketConsumer):  # type: ignore[misc]
    """`/ws/dashboard/` joins its user's audience group (the fleet parts and rows of the labs
    they see); `/ws/labs/<pk>/` one lab's group, if the user sees that lab.

    Anonymous sockets, inactive users and labs deleted or of another team are refused, and a
    socket closes when its user is deactivated.
    """

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close()
            return
        pk = self.scope["url_route"]["kwargs"].get("pk")
        group = await dashboard_group_of(user, pk)
        if group is None:
            await self.close()
            return
        self.group = group
        await relay.ensure_started()
        await self.user_group_join()
        if pk is not None:
            await lab_watch_mark(pk)  # its page's fragments are rendered from now on
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
