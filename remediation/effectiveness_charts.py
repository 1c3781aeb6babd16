"""The effectiveness page's charts, from its rows (no query): success rate and mean time to
ready per (failure class, action). Pure."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.safestring import SafeString

from remediation.effectiveness import EffectivenessRow
from stargate.lib.charts.bars import bar_chart
from stargate.lib.charts.svg import Bar


def row_label(row: EffectivenessRow) -> str:
    return f"{row.failure_class} / {row.action_id}"


def success_bars(rows: Sequence[EffectivenessRow]) -> list[Bar]:
    return [
        Bar(
            row_label(row),
            row.success_rate,
            f"{row.success_rate:.0%} of {row.runs} run{'s' if row.runs != 1 else ''}",
        )
        for row in rows
    ]


def time_to_ready_bars(rows: Sequence[EffectivenessRow]) -> list[Bar]:
    return [
        Bar(
            row_label(row),
            row.mean_seconds_to_ready or 0.0,
            f"{row.mean_seconds_to_ready:.0f} s ({row.recovered} recovered)"
            if row.mean_seconds_to_ready is not None
            else "no recovery measured",
        )
        for row in rows
    ]


def effectiveness_charts(rows: Sequence[EffectivenessRow]) -> dict[str, SafeString]:
    return {
        "success": bar_chart(
            chart_id="effectiveness-success-chart",
            title="Success rate per failure class and action",
            bars=success_bars(rows),
            max_value=1.0,
            kind="ready",
        ),
        "time_to_ready": bar_chart(
            chart_id="effectiveness-time-chart",
            title="Mean time to ready per failure class and action",
            bars=time_to_ready_bars(rows),
            kind="time",
        ),
    }
