"""`watch=true`: stream ADDED/MODIFIED/DELETED events, bookmarks, and 410 Gone when too old."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson
from aiohttp import web

from simulator.faults import Faults
from simulator.paths import Target
from simulator.selectors import Matcher
from simulator.status import status_body
from simulator.store import Change, Obj, Store

POLL_SECONDS = 0.05
MAX_WATCH_SECONDS = 1800.0


@dataclass
class WatchRequest:
    target: Target
    matches: Matcher
    resource_version: str
    timeout: float
    bookmarks: bool
    bookmark_interval: float


def _line(event_type: str, obj: Obj) -> bytes:
    return orjson.dumps({"type": event_type, "object": obj}) + b"\n"


def _in_scope(target: Target, key: str, obj: Obj) -> bool:
    if key != target.kind.key:
        return False
    return target.namespace is None or obj["metadata"].get("namespace") == target.namespace


async def stream_watch(
    request: web.Request, store: Store, faults: Faults, watch: WatchRequest
) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    try:
        return await _stream(request, response, store, faults, watch)
    except ConnectionResetError:  # the watcher went away (it stopped, or its process did)
        return response


async def _stream(
    request: web.Request,
    response: web.StreamResponse,
    store: Store,
    faults: Faults,
    watch: WatchRequest,
) -> web.StreamResponse:
    cut_after = int(faults.value("watch_cut")) if faults.applies("watch_cut", request.path) else -1
    if watch.resource_version in ("", "0"):
        rv = store.resource_version
        initial = [
            o for o in store.list(watch.target.kind, watch.target.namespace) if watch.matches(o)
        ]
        await response.write(b"".join(_line("ADDED", obj) for obj in initial))
        sent = len(initial)
    else:
        rv = int(watch.resource_version) if watch.resource_version.isdigit() else -1
        sent = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(watch.timeout, MAX_WATCH_SECONDS)
    next_bookmark = loop.time() + watch.bookmark_interval
    while loop.time() < deadline:
        changes = store.changes_since(rv)
        if changes is None:
            gone = status_body(410, "Expired", f"too old resource version: {rv}")
            await response.write(_line("ERROR", gone))
            break
        for change in changes:
            rv = change.resource_version
            event_type = _event_type(change, watch)
            if event_type is None:
                continue
            if sent == cut_after:
                return _cut(request, response)
            await response.write(_line(event_type, change.obj))
            sent += 1
        if watch.bookmarks and loop.time() >= next_bookmark:
            await response.write(_line("BOOKMARK", _bookmark(watch.target, rv)))
            next_bookmark = loop.time() + watch.bookmark_interval
        await asyncio.sleep(POLL_SECONDS)
    await response.write_eof()
    return response


def _event_type(change: Change, watch: WatchRequest) -> str | None:
    """What this watcher sees: an object leaving its selection reads as DELETED and one entering
    it as ADDED, as the API server reports them; None when it sees nothing."""
    if not _in_scope(watch.target, change.key, change.obj):
        return None
    matches = watch.matches
    now = matches(change.obj)
    if change.type != "MODIFIED" or change.previous is None:
        return change.type if now else None
    before = matches(change.previous)
    if before and now:
        return "MODIFIED"
    if before:
        return "DELETED"
    return "ADDED" if now else None


def _bookmark(target: Target, rv: int) -> Obj:
    kind = target.kind
    return {
        "kind": kind.kind,
        "apiVersion": kind.api_version,
        "metadata": {
            "resourceVersion": str(rv),
            "annotations": {"k8s.io/initial-events-end": "true"},
        },
    }


def _cut(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """Drop the connection mid-stream, with half an event on the wire, as a dying proxy does."""
    transport = request.transport
    if transport is not None:
        transport.write(b'{"type": "MODIFIED", "object": {"metadata"')
        transport.abort()
    return response
