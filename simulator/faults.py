"""Faults a simulated cluster API can be told to show, and the HTTP answers they produce."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from aiohttp import web

from simulator.status import status_response

# mode -> what its value means
FAULT_MODES = {
    "latency": "seconds added before every answer",
    "error_500": "answer 500 InternalError (value ignored)",
    "throttle": "answer 429 TooManyRequests (Retry-After: 1) to the next N requests (value)",
    "flaky_500": "answer 500 InternalError to the next N requests (value), then heal",
    "hang": "seconds to hold the request before answering (set past the client timeout)",
    "unauthorized": "answer 401 whatever the token (value ignored)",
    "malformed_json": "answer 200 with a truncated JSON body (value ignored)",
    "refused": "close the listening socket: connections are refused (value ignored)",
    "watch_cut": "cut watch streams after this many events",
}


# Used when no value is given: a hang outlasts any sane client timeout (the server cancels it on
# stop), a cut watch delivers one event first.
DEFAULT_VALUES = {"latency": 1.0, "hang": 600.0, "watch_cut": 1.0}
COUNTED = frozenset({"throttle", "flaky_500"})


class UnknownFault(ValueError):
    pass


@dataclass
class Faults:
    """The faults active on one cluster; `path_contains` narrows them to matching paths."""

    active: dict[str, float] = field(default_factory=dict)
    path_contains: str = ""
    answered: dict[str, int] = field(default_factory=dict)  # requests each fault answered
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def inject(self, mode: str, value: float | None = None, path_contains: str = "") -> None:
        if mode not in FAULT_MODES:
            raise UnknownFault(f"unknown fault {mode!r}; known: {', '.join(FAULT_MODES)}")
        with self._lock:
            self.active[mode] = DEFAULT_VALUES.get(mode, 1.0) if value is None else value
            self.path_contains = path_contains

    def heal(self, mode: str | None = None) -> None:
        with self._lock:
            if mode is None:
                self.active.clear()
                self.path_contains = ""
            else:
                self.active.pop(mode, None)

    def applies(self, mode: str, path: str) -> bool:
        return mode in self.active and self.path_contains in path

    def value(self, mode: str) -> float:
        return self.active.get(mode, 0.0)

    def answer(self, mode: str) -> None:
        """Count one faulted answer; a counted mode (throttle, flaky_500) heals at zero."""
        with self._lock:
            self.answered[mode] = self.answered.get(mode, 0) + 1
            if mode in COUNTED and mode in self.active:
                self.active[mode] -= 1
                if self.active[mode] <= 0:
                    self.active.pop(mode)


async def fault_response(faults: Faults, request: web.Request) -> web.StreamResponse | None:
    """The answer an active fault forces, or None to let the request through (maybe late)."""
    path = request.path
    if faults.applies("latency", path):
        await asyncio.sleep(faults.value("latency"))
    if faults.applies("hang", path):
        await asyncio.sleep(faults.value("hang"))
    if faults.applies("unauthorized", path):
        faults.answer("unauthorized")
        return status_response(401, "Unauthorized", "Unauthorized")
    if faults.applies("throttle", path):
        faults.answer("throttle")
        throttled = status_response(429, "TooManyRequests", "simulated throttling")
        throttled.headers["Retry-After"] = "1"
        return throttled
    for mode in ("error_500", "flaky_500"):
        if faults.applies(mode, path):
            faults.answer(mode)
            return status_response(500, "InternalError", "simulated internal error")
    if faults.applies("malformed_json", path):
        return web.Response(
            body=b'{"kind": "List", "apiVersion": "v1", "items": [{"metadata": {"na',
            content_type="application/json",
        )
    return None
