"""django-q2 task entry points (one schedule per source, `collectors.schedules`)."""

from __future__ import annotations

from .runner import source_run


def collect(source: str) -> str:
    run = source_run(source)
    if run is None:
        return f"{source}: not configured"
    return f"{source}: {'ok' if run.ok else run.error_kind} ({run.items} items)"
