"""The engine's memory as JSON, for storing it with the Evaluations between scans."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .outcomes import CarriedClass, ClassSource, PreviousState, Seen


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


CARRIED_SOURCES = frozenset({ClassSource.LLM.value, ClassSource.HUMAN.value})


def with_carried_classes(
    memory: PreviousState, stored: Iterable[tuple[str, str, str, str]]
) -> PreviousState:
    """Add the classes a proposal or a review gave to stored verdicts, from
    (rubric id, fingerprint, class, source): they hold while the same failure persists."""
    classes = {
        rubric_id: CarriedClass(print_, failure_class, ClassSource(source))
        for rubric_id, print_, failure_class, source in stored
        if source in CARRIED_SOURCES and print_
    }
    return PreviousState(memory.seen, classes) if classes else memory
