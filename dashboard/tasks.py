"""django-q2 entry points of the dashboard: thin, scheduled by `dashboard.schedules`."""

from __future__ import annotations

from dashboard import rollup


def record_rollups() -> str:
    """Every 5 minutes: the hourly status rollup and the node usage samples behind the charts."""
    rows = rollup.status_rollup_record()
    samples = rollup.node_usage_record()
    return f"{rows} rollup rows, {samples} node samples"
