"""Labelled horizontal bars: each bar's value is printed beside it, so no colour is needed."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString

from stargate.lib.charts.svg import WIDTH, Bar, LinearScale, empty_note, nice_max, svg_document

ROW = 22
LABEL_COLUMN = 230
VALUE_COLUMN = 130
LABEL_CHARS = 34


def bars_summary(bars: Sequence[Bar]) -> str:
    if not bars:
        return "No data yet."
    return "; ".join(f"{bar.label}: {bar.text}" for bar in bars) + "."


def short(label: str, size: int = LABEL_CHARS) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    max_value: float | None = None,
    kind: str = "bar",
    width: int = WIDTH,
) -> SafeString:
    """One bar per item, its label on the left and its value in words on the right."""
    height = max(1, len(bars)) * ROW + 8
    top = max_value or nice_max(max((bar.value for bar in bars), default=0))
    x = LinearScale(0, top, LABEL_COLUMN, width - VALUE_COLUMN)
    parts = []
    if not bars:
        parts.append(empty_note(width / 2, height / 2 + 4))
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        parts.append(
            format_html(
                '<g class="chart-bar chart-k-{}"><title>{}: {}</title>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end" dy="0.35em">{}</text>'
                '<rect class="chart-bar-track" x="{}" y="{}" width="{}" height="{}"/>'
                '<rect class="chart-bar-fill" x="{}" y="{}" width="{}" height="{}"/>'
                '<text class="chart-label" x="{}" y="{}" dy="0.35em">{}</text></g>',
                kind,
                bar.label,
                bar.text,
                LABEL_COLUMN - 6,
                y + ROW / 2 - 2,
                short(bar.label),
                LABEL_COLUMN,
                y + 3,
                x.out_hi - LABEL_COLUMN,
                ROW - 10,
                LABEL_COLUMN,
                y + 3,
                max(0.0, x(min(bar.value, top)) - LABEL_COLUMN),
                ROW - 10,
                x.out_hi + 6,
                y + ROW / 2 - 2,
                bar.text,
            )
        )
    return svg_document(chart_id, title, bars_summary(bars), (width, height), parts)
