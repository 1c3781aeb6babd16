"""The engine's memory as JSON, for storing it with the Evaluations between scans."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .outcomes import PreviousState, Seen


def memory_to_json(seen: Mapping[str, Seen], rubric_id: str) -> dict[str, list[str]]:
    prefix = f"{rubric_id}/"
    return {
        key: [entry.since.isoformat(), entry.marker]
        for key, entry in seen.items()
        if key.startswith(prefix)
    }


def memory_from_json(stored: Iterable[Mapping[str, Any]]) -> PreviousState:
    seen: dict[str, Seen] = {}
    for memory in stored:
        for key, (since, marker) in memory.items():
            seen[key] = Seen(datetime.fromisoformat(since), marker)
    return PreviousState(seen)
