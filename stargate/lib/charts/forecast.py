"""A measured series continued by a forecast with its uncertainty band and a marker where it
reaches zero (pool exhaustion). Readable without colour: the history is a solid line with
square markers, the forecast dashed with triangles, the band dotted, the marker a labelled
vertical rule with a cross."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from stargate.lib.charts.lines import axes, line
from stargate.lib.charts.svg import (
    HEIGHT,
    LABEL_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_TOP,
    WIDTH,
    LinearScale,
    Series,
    empty_note,
    format_value,
    nice_max,
    pattern_defs,
    svg_document,
)

Points = Sequence[tuple[datetime, float]]


def _band_path(low: Points, high: Points, x: LinearScale, y: LinearScale) -> str:
    upper = [f"{x(at.timestamp())},{y(value)}" for at, value in high]
    lower = [f"{x(at.timestamp())},{y(value)}" for at, value in reversed(low)]
    return "M" + " L".join(upper + lower) + " Z"


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %H:%M")


def forecast_chart(
    *,
    chart_id: str,
    title: str,
    history: Points,
    forecast: Points,
    low: Points = (),
    high: Points = (),
    marker_at: datetime | None = None,
    marker_text: str = "exhausted",
    start: datetime,
    end: datetime,
    unit: str = "",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    plot_right = width - LABEL_WIDTH
    values = [v for points in (history, forecast, high) for _, v in points]
    top = nice_max(max(values, default=0))
    x = LinearScale(start.timestamp(), end.timestamp(), MARGIN_LEFT, plot_right)
    y = LinearScale(0, top, height - MARGIN_BOTTOM, MARGIN_TOP)
    parts = [pattern_defs(chart_id, ["warn"]), axes(x, y, start, end, unit)]
    if low and high:
        parts.append(
            format_html(
                '<g class="chart-series chart-k-warn"><path class="chart-area" d="{}" '
                'fill="url(#{}-fill-warn)"><title>{}</title></path></g>',
                _band_path(low, high, x, y),
                chart_id,
                "Forecast band (95 %)",
            )
        )
    measured, projected = Series("Measured", "s0", history), Series("Forecast", "s2", forecast)
    labels = []
    for index, series in ((0, measured), (1, projected)):
        if series.points:
            parts.append(line(chart_id, series, index, x, y, unit, filled=False))
            last = series.points[-1]
            labels.append((series, index, f"{series.name} {format_value(last[1], unit)}"))
    if not labels:
        parts.append(empty_note((MARGIN_LEFT + plot_right) / 2, height / 2))
    for offset, (series, _, text) in enumerate(labels):
        symbol = "■" if series.kind == "s0" else "▲"
        parts.append(
            format_html(
                '<text class="chart-label chart-k-{}" x="{}" y="{}" dy="0.35em">{} {}</text>',
                series.kind,
                plot_right + 6,
                MARGIN_TOP + 12 * offset,
                symbol,
                text,
            )
        )
    if low and high:
        parts.append(
            format_html(
                '<text class="chart-label chart-k-warn" x="{}" y="{}" dy="0.35em">{}</text>',
                plot_right + 6,
                MARGIN_TOP + 12 * len(labels),
                "⁙ 95 % band",
            )
        )
    if marker_at is not None and start <= marker_at <= end:
        px = x(marker_at.timestamp())
        parts.append(
            format_html(
                '<g class="chart-series chart-k-failed chart-exhaustion">'
                '<line class="chart-line" x1="{}" x2="{}" y1="{}" y2="{}" stroke-dasharray="2 2"/>'
                '<path class="chart-marker" d="M{},{}l7,7m0,-7l-7,7"><title>{}</title></path>'
                '<text class="chart-label" x="{}" y="{}">{}</text></g>',
                px,
                px,
                y.out_hi,
                y.out_lo,
                px - 3.5,
                y.out_lo - 3.5,
                f"{marker_text} at about {_when(marker_at)}",
                px + 4,
                y.out_hi + 10,
                f"✖ {marker_text} ~{_when(marker_at)}",
            )
        )
    return svg_document(
        chart_id,
        title,
        _summary(history, forecast, marker_at, marker_text, unit),
        (width, height),
        parts,
    )


def _summary(
    history: Points, forecast: Points, marker_at: datetime | None, marker_text: str, unit: str
) -> str:
    if not history:
        return "No data yet."
    text = f"Measured now {format_value(history[-1][1], unit)}."
    if forecast:
        text += f" Forecast {format_value(forecast[-1][1], unit)} at {_when(forecast[-1][0])}."
    if marker_at is not None:
        text += f" {marker_text.capitalize()} at about {_when(marker_at)}."
    return text
