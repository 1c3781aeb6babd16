"""The embedded-mode relay: the web process forwards `LiveEvent` rows to its in-memory layer.

Started by the first websocket connection in the web process (every consumer that forwards
broadcasts calls `ensure_started`); it polls for rows newer than the last one it relayed, every
`POLL_SECONDS`, merges their ids into one broadcast per topic (`stargate.realtime`, whatever the
topic) and prunes rows older than `KEEP`. The id cursor is sound on SQLite (one writer at a
time, so ids commit in order), which is what the embedded mode runs on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import ParamSpec, TypeVar

from channels.db import database_sync_to_async
from django.utils import timezone

from stargate import realtime
from stargate.models import LiveEvent

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

POLL_SECONDS = 0.5
KEEP = timedelta(minutes=10)
_tasks: dict[asyncio.AbstractEventLoop, asyncio.Task[None]] = {}


def db_async(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """channels' database_sync_to_async (closes stale connections), typed."""
    return database_sync_to_async(func)  # type: ignore[no-any-return]


def running(loop: asyncio.AbstractEventLoop) -> bool:
    task = _tasks.get(loop)
    return task is not None and not task.done()


async def ensure_started() -> None:
    """Start the relay on the running event loop unless it runs already (or is not needed).

    Returns once the relay's cursor is set, so events recorded afterwards are all relayed.
    """
    loop = asyncio.get_running_loop()
    if not realtime.uses_relay() or running(loop):
        return
    cursor = await latest_event_id()
    if not running(loop):  # another connection may have started it meanwhile
        _tasks[loop] = loop.create_task(run(cursor))


async def stop() -> None:
    """Stop the relay of the running loop (tests; the server's loop ends with the process)."""
    task = _tasks.pop(asyncio.get_running_loop(), None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@db_async
def latest_event_id() -> int:
    return LiveEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@db_async
def relay_since(cursor: int) -> int:
    """Broadcast events newer than `cursor`, one broadcast per topic in the order of their first
    events; return the new cursor."""
    events = list(LiveEvent.objects.filter(pk__gt=cursor).order_by("pk"))
    if not events:
        return cursor
    topics: dict[str, set[int]] = {}
    for event in events:
        topics.setdefault(event.topic, set()).update(event.ids)
    for topic, ids in topics.items():
        try:
            realtime.deliver(topic, sorted(ids))
        except Exception:
            # Skip what cannot be rendered rather than retrying it forever.
            logger.exception("live event relay failed for topic %s, ids %s", topic, sorted(ids))
    return events[-1].pk


@db_async
def prune() -> None:
    LiveEvent.objects.filter(created_at__lt=timezone.now() - KEEP).delete()


async def run(cursor: int) -> None:
    polls = 0
    while True:
        await asyncio.sleep(POLL_SECONDS)
        try:
            cursor = await relay_since(cursor)
            polls += 1
            if polls % 120 == 0:
                await prune()
        except Exception:
            # A failed poll (database busy) must not end the relay: the next one retries.
            logger.exception("live event relay poll failed")
