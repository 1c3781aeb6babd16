"""Status over time, one strip per row: each segment has its status's fill pattern, its icon
when there is room, and a `<title>` saying what it was and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.html import format_html
from django.utils.safestring import SafeString

from stargate.lib.charts.lines import time_label, time_ticks
from stargate.lib.charts.svg import (
    STATUS_ICONS,
    WIDTH,
    LinearScale,
    Segment,
    StripRow,
    empty_note,
    join,
    pattern_defs,
    svg_document,
)

ROW = 22
LABEL_COLUMN = 160
AXIS = 20
LEGEND = 22
ICON_MIN_WIDTH = 14
LABEL_CHARS = 24


def moment(at: datetime) -> str:
    from django.utils import timezone

    return timezone.localtime(at).strftime("%a %d %H:%M")


def segment_text(label: str, segment: Segment) -> str:
    name = segment.status.capitalize()
    return f"{label}: {name} from {moment(segment.start)} to {moment(segment.end)}"


def strip_summary(rows: Sequence[StripRow]) -> str:
    """Each row in words: its latest status and since when, and how often it failed or warned."""
    if not rows:
        return "No data yet."
    parts = []
    for row in rows:
        if not row.segments:
            parts.append(f"{row.label}: no data.")
            continue
        last = row.segments[-1]
        bad = sum(1 for s in row.segments if s.status in ("failed", "warn"))
        parts.append(
            f"{row.label}: {last.status.capitalize()} since {moment(last.start)}, "
            f"{bad} failed or warning period{'s' if bad != 1 else ''} shown."
        )
    return " ".join(parts)


def status_strip(
    *,
    chart_id: str,
    title: str,
    rows: Sequence[StripRow],
    start: datetime,
    end: datetime,
    width: int = WIDTH,
) -> SafeString:
    height = max(1, len(rows)) * ROW + AXIS + LEGEND
    x = LinearScale(start.timestamp(), end.timestamp(), LABEL_COLUMN, width - 8)
    statuses = [s.status for row in rows for s in row.segments]
    parts = [
        pattern_defs(chart_id, statuses),
    ]
    if not rows:
        parts.append(empty_note(width / 2, ROW / 2 + 4))
    for index, row in enumerate(rows):
        parts.append(strip_row(chart_id, row, index * ROW, x))
    axis_y = max(1, len(rows)) * ROW
    parts.extend(
        format_html(
            '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
            x(tick.timestamp()),
            axis_y + 14,
            time_label(tick, start, end),
        )
        for tick in time_ticks(start, end)
    )
    parts.append(legend(chart_id, list(dict.fromkeys(statuses)), axis_y + AXIS))
    return svg_document(chart_id, title, strip_summary(rows), (width, height), parts)


def strip_row(chart_id: str, row: StripRow, y: float, x: LinearScale) -> SafeString:
    label = row.label if len(row.label) <= LABEL_CHARS else row.label[: LABEL_CHARS - 1] + "…"
    parts = [
        format_html(
            '<text class="chart-tick" x="{}" y="{}" text-anchor="end" dy="0.35em">{}</text>',
            x.out_lo - 6,
            y + ROW / 2,
            label,
        )
    ]
    for segment in row.segments:
        left, right = x(segment.start.timestamp()), x(segment.end.timestamp())
        width = max(1.0, round(right - left, 1))
        icon = STATUS_ICONS.get(segment.status, "?") if width >= ICON_MIN_WIDTH else ""
        parts.append(
            format_html(
                '<g class="chart-segment chart-k-{}" data-status="{}"><title>{}</title>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{}-fill-{})"/>'
                '<text class="chart-icon" x="{}" y="{}" text-anchor="middle" dy="0.35em">{}</text>'
                "</g>",
                segment.status,
                segment.status,
                segment_text(row.label, segment),
                left,
                y + 3,
                width,
                ROW - 6,
                chart_id,
                segment.status,
                round(left + width / 2, 1),
                y + ROW / 2,
                icon,
            )
        )
    return join(parts)


def legend(chart_id: str, statuses: Sequence[str], y: float) -> SafeString:
    parts = []
    for index, status in enumerate(statuses):
        left = LABEL_COLUMN + index * 110
        parts.append(
            format_html(
                '<g class="chart-legend chart-k-{}"><rect x="{}" y="{}" width="14" height="12" '
                'fill="url(#{}-fill-{})"/><text class="chart-tick" x="{}" y="{}" dy="0.35em">'
                "{} {}</text></g>",
                status,
                left,
                y,
                chart_id,
                status,
                left + 18,
                y + 6,
                STATUS_ICONS.get(status, "?"),
                status.capitalize(),
            )
        )
    return join(parts)
