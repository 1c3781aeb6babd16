"""Lines over time: axes, a dash pattern and marker shape per series, direct labels."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from stargate.lib.charts.svg import (
    DASHES,
    HEIGHT,
    LABEL_GAP,
    LABEL_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_TOP,
    MARKER_SYMBOLS,
    MARKERS,
    MAX_MARKERS,
    WIDTH,
    LinearScale,
    Series,
    empty_note,
    format_value,
    join,
    marker,
    nice_max,
    pattern_defs,
    svg_document,
)


def value_ticks(top: float) -> list[float]:
    """Round steps up to `top` (a `nice_max`): fifths of a 5, quarters of a 1 or a 2."""
    count = 5 if f"{top:e}".startswith("5") else 4
    return [top * i / count for i in range(count + 1)]


def time_ticks(start: datetime, end: datetime) -> list[datetime]:
    """Round moments between `start` and `end`: every 6 hours up to two days, else every day."""
    step = timedelta(hours=6) if end - start <= timedelta(days=2) else timedelta(days=1)
    local = timezone.localtime(start)
    first = local.replace(minute=0, second=0, microsecond=0)
    if step == timedelta(days=1):
        first = first.replace(hour=0)
    else:
        first = first.replace(hour=first.hour - first.hour % 6)
    ticks = []
    moment = first
    while moment <= end:
        if moment >= start:
            ticks.append(moment)
        moment += step
    return ticks


def time_label(moment: datetime, start: datetime, end: datetime) -> str:
    local = timezone.localtime(moment)
    return local.strftime("%H:%M") if end - start <= timedelta(days=2) else local.strftime("%a %d")


def series_summary(series: Sequence[Series], unit: str = "") -> str:
    """The chart in words, for its `<desc>`: each series' latest and peak values."""
    if not any(s.points for s in series):
        return "No data yet."
    parts = []
    for s in series:
        if not s.points:
            parts.append(f"{s.name}: no data.")
            continue
        peak_at, peak = max(s.points, key=lambda point: point[1])
        latest = format_value(s.points[-1][1], unit)
        when = timezone.localtime(peak_at).strftime("%a %H:%M")
        parts.append(f"{s.name}: latest {latest}, peak {format_value(peak, unit)} at {when}.")
    return " ".join(parts)


def direct_label_positions(ys: Sequence[float], gap: float = LABEL_GAP) -> list[float]:
    """The labels' y, in the order given, moved apart so that none overlaps another."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = list(ys)
    previous = -math.inf
    for i in order:
        placed[i] = max(ys[i], previous + gap)
        previous = placed[i]
    return placed


def time_chart(
    *,
    chart_id: str,
    title: str,
    series: Sequence[Series],
    start: datetime,
    end: datetime,
    unit: str = "",
    y_max: float | None = None,
    area: frozenset[str] = frozenset(),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """Lines over time, with axes, a marker shape and dash pattern per series, direct labels at
    the right and a `<title>` per marker; series whose kind is in `area` also get a patterned
    area under their line."""
    plot_right = width - LABEL_WIDTH
    top = y_max or nice_max(max((v for s in series for _, v in s.points), default=0))
    x = LinearScale(start.timestamp(), end.timestamp(), MARGIN_LEFT, plot_right)
    y = LinearScale(0, top, height - MARGIN_BOTTOM, MARGIN_TOP)
    parts = [
        pattern_defs(chart_id, [s.kind for s in series if s.kind in area]),
        axes(x, y, start, end, unit),
    ]
    ends: list[tuple[Series, int, float]] = []
    for index, s in enumerate(series):
        if s.points:
            parts.append(line(chart_id, s, index, x, y, unit, filled=s.kind in area))
            ends.append((s, index, y(s.points[-1][1])))
    if not ends:
        parts.append(empty_note((MARGIN_LEFT + plot_right) / 2, height / 2))
    for (s, index, _), label_y in zip(
        ends, direct_label_positions([e[2] for e in ends]), strict=True
    ):
        text = f"{s.name} {format_value(s.points[-1][1], unit)}"
        parts.append(
            format_html(
                '<text class="chart-label chart-k-{}" x="{}" y="{}" dy="0.35em">{}</text>',
                s.kind,
                plot_right + 6,
                label_y,
                f"{MARKER_SYMBOLS[MARKERS[index % len(MARKERS)]]} {text}",
            )
        )
    summary = series_summary(series, unit)
    return svg_document(chart_id, title, summary, (width, height), parts)


def axes(x: LinearScale, y: LinearScale, start: datetime, end: datetime, unit: str) -> SafeString:
    parts = [
        format_html(
            '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="chart-tick" x="{}" y="{}" text-anchor="end" dy="0.35em">{}</text>',
            x.out_lo,
            x.out_hi,
            y(value),
            y(value),
            x.out_lo - 4,
            y(value),
            format_value(value, unit),
        )
        for value in value_ticks(y.hi)
    ]
    parts.extend(
        format_html(
            '<line class="chart-axis" x1="{}" x2="{}" y1="{}" y2="{}"/>'
            '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
            x(moment.timestamp()),
            x(moment.timestamp()),
            y.out_lo,
            y.out_lo + 4,
            x(moment.timestamp()),
            y.out_lo + 15,
            time_label(moment, start, end),
        )
        for moment in time_ticks(start, end)
    )
    return join(parts)


def line(
    chart_id: str,
    s: Series,
    index: int,
    x: LinearScale,
    y: LinearScale,
    unit: str,
    *,
    filled: bool,
) -> SafeString:
    coords = [(x(at.timestamp()), y(value)) for at, value in s.points]
    path = "M" + " L".join(f"{px},{py}" for px, py in coords)
    parts = []
    if filled:
        base = y.out_lo
        area_path = f"{path} L{coords[-1][0]},{base} L{coords[0][0]},{base} Z"
        parts.append(
            format_html(
                '<path class="chart-area" d="{}" fill="url(#{}-fill-{})"/>',
                area_path,
                chart_id,
                s.kind,
            )
        )
    dash = DASHES[index % len(DASHES)]
    parts.append(
        format_html(
            '<path class="chart-line" d="{}" fill="none"{}/>',
            path,
            format_html(' stroke-dasharray="{}"', dash) if dash else "",
        )
    )
    shape = MARKERS[index % len(MARKERS)]
    every = max(1, math.ceil(len(coords) / MAX_MARKERS))
    shown = set(range(len(coords) - 1, -1, -every))  # always the latest point
    parts.extend(
        marker(shape, px, py, f"{point_time(at)} {s.name}: {format_value(value, unit)}")
        for i, ((px, py), (at, value)) in enumerate(zip(coords, s.points, strict=True))
        if i in shown
    )
    return format_html('<g class="chart-series chart-k-{}">{}</g>', s.kind, join(parts))


def point_time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%a %d %H:%M")
