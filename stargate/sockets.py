"""Websockets end with the account: a deactivated user's open sockets are closed.

Every consumer joins its user's group (`user-<id>`). Deactivating or deleting a user sends that
group a close, after commit; and because a close sent from another process never reaches the
web process's in-memory layer (embedded mode), consumers also re-check the account before
forwarding a push, at most once per RECHECK_SECONDS.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import transaction

USER_CLOSE_EVENT = "user.closed"
RECHECK_SECONDS = 5.0
CLOSE_CODE = 4403  # application-defined range: the account may no longer watch


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def user_sockets_close(user_id: int) -> None:
    async_to_sync(get_channel_layer().group_send)(user_group(user_id), {"type": USER_CLOSE_EVENT})


def user_sockets_close_on_commit(user_id: int) -> None:
    """Close the user's open sockets once the change that ended the account commits."""
    transaction.on_commit(lambda: user_sockets_close(user_id), robust=True)


def user_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_save receiver. The admin, the shell, allauth and services all end an account by
    saving the user, so this signal is the one place every deactivation passes."""
    if not instance.is_active:
        user_sockets_close_on_commit(instance.pk)


def user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    user_sockets_close_on_commit(instance.pk)


def _user_is_active_sync(user_id: int) -> bool:
    return get_user_model().objects.filter(pk=user_id, is_active=True).exists()


_user_is_active: Callable[[int], Awaitable[bool]] = database_sync_to_async(_user_is_active_sync)


class UserBoundSocket:
    """Mixin for AsyncWebsocketConsumer: join the user's group, close when the account ends."""

    scope: dict[str, Any]
    channel_layer: Any
    channel_name: str
    _user_checked_at: float = 0.0
    _user_group: str | None = None

    async def user_group_join(self) -> None:
        self._user_group = user_group(self.scope["user"].pk)
        self._user_checked_at = time.monotonic()
        await self.channel_layer.group_add(self._user_group, self.channel_name)

    async def user_group_leave(self) -> None:
        if self._user_group is not None:
            await self.channel_layer.group_discard(self._user_group, self.channel_name)

    async def user_still_active(self) -> bool:
        """True while the account is active; checked against the database every few seconds."""
        now = time.monotonic()
        if now - self._user_checked_at < RECHECK_SECONDS:
            return True
        self._user_checked_at = now
        return await _user_is_active(self.scope["user"].pk)

    async def user_closed(self, event: dict[str, Any]) -> None:  # "user.closed"
        await self.close(code=CLOSE_CODE)  # type: ignore[attr-defined]
