"""django-q2 entry points."""

from __future__ import annotations

from incidents.pipeline import events_process


def process_events() -> int:
    """Run the pipeline once; returns the number of events stored."""
    return events_process().events
