"""django-q2 entry points."""

from __future__ import annotations

from incidents.pipeline import events_process
from incidents.triggers import run_started


def process_events() -> int:
    """Run the pipeline once; returns the number of events stored."""
    run_started()
    return events_process().events
