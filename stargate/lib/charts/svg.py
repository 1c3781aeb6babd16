"""The parts every chart shares. Charts are SVG rendered on the server: no script, no inline
style (the Content-Security-Policy forbids both), readable without colour.

Colours come from classes in `static/css/stargate.css`; every series also has its own dash
pattern and marker shape, areas and strip segments their own fill pattern, every line a direct
label, every point and segment a `<title>` tooltip, and every chart a `<desc>` that says in words
what it shows. Everything is built with `format_html`, which escapes what it inserts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Each style: (dash pattern, marker shape). Colour is the third cue, never the only one.
DASHES = ("", "7 4", "2 3", "10 3 2 3", "4 2 1 2", "1 5")
MARKERS = ("square", "triangle", "circle", "diamond", "cross", "bar")
# Fill patterns by status: failed hatched, warn dotted, progressing striped, ready plain.
STATUS_PATTERNS = {
    "failed": "hatch",
    "warn": "dots",
    "progressing": "stripes",
    "unknown": "cross",
    "stale": "cross",
    "ready": "plain",
}
STATUS_ICONS = {
    "ready": "✔",
    "failed": "✖",
    "warn": "⚠",
    "progressing": "↻",
    "stale": "○",
    "unknown": "?",
}
PATTERN_INK = {
    "hatch": format_html(
        '<path class="chart-pattern-ink" d="{}"/>', "M0,8 L8,0 M-2,2 L2,-2 M6,10 L10,6"
    ),
    "dots": format_html('<circle class="chart-pattern-ink" cx="4" cy="4" r="{}"/>', 1.6),
    "stripes": format_html('<path class="chart-pattern-ink" d="{}"/>', "M0,2 H8 M0,6 H8"),
    "cross": format_html('<path class="chart-pattern-ink" d="{}"/>', "M0,0 L8,8 M8,0 L0,8"),
    "plain": "",
}
MAX_MARKERS = 30
LABEL_GAP = 11  # px between direct labels
WIDTH, HEIGHT = 640, 200
MARGIN_LEFT, MARGIN_TOP, MARGIN_BOTTOM = 40, 24, 22
LABEL_WIDTH = 130  # room on the right for the direct labels


@dataclass(frozen=True)
class Series:
    """One line of a time chart; `kind` names its colour class (`chart-<kind>`)."""

    name: str
    kind: str
    points: Sequence[tuple[datetime, float]]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value in words, printed beside the bar


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    status: str


@dataclass(frozen=True)
class StripRow:
    label: str
    segments: Sequence[Segment]


@dataclass(frozen=True)
class LinearScale:
    """Maps [lo, hi] onto [out_lo, out_hi] (pixels; out_lo > out_hi for a y axis)."""

    lo: float
    hi: float
    out_lo: float
    out_hi: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo
        share = (value - self.lo) / span if span else 0.0
        return round(self.out_lo + share * (self.out_hi - self.out_lo), 1)


def nice_max(value: float) -> float:
    """The smallest of 1, 2, 5 times 10^k that is at least `value` (1 for nothing to show)."""
    if value <= 0:
        return 1.0
    magnitude: float = 10.0 ** math.floor(math.log10(value))
    return next(float(s * magnitude) for s in (1, 2, 5, 10) if s * magnitude >= value)


MARKER_SYMBOLS = {
    "square": "■",
    "triangle": "▲",
    "circle": "●",
    "diamond": "◆",
    "cross": "✕",
    "bar": "▬",
}


def format_value(value: float, unit: str = "") -> str:
    text = f"{value:.0f}" if value == int(value) or abs(value) >= 10 else f"{value:.1f}"
    return f"{text}{unit}"


def marker(shape: str, x: float, y: float, title: str) -> SafeString:
    """A point's marker (its shape is the series' second cue) with its tooltip."""
    paths = {
        "square": f"M{x - 3},{y - 3}h6v6h-6z",
        "triangle": f"M{x},{y - 4}l4,7h-8z",
        "circle": f"M{x - 3.5},{y}a3.5,3.5 0 1,0 7,0a3.5,3.5 0 1,0 -7,0",
        "diamond": f"M{x},{y - 4.5}l4.5,4.5l-4.5,4.5l-4.5,-4.5z",
        "cross": f"M{x - 3.5},{y - 3.5}l7,7m0,-7l-7,7",
        "bar": f"M{x - 4},{y - 1.5}h8v3h-8z",
    }
    return format_html(
        '<path class="chart-marker" d="{}"><title>{}</title></path>', paths[shape], title
    )


def pattern_defs(chart_id: str, kinds: Iterable[str]) -> SafeString:
    """Fill patterns, one per kind, ids prefixed by the chart's (ids are page-wide)."""
    items = [
        format_html(
            '<pattern class="chart-k-{}" id="{}-fill-{}" width="8" height="8" '
            'patternUnits="userSpaceOnUse"><rect class="chart-pattern-bg" width="8" height="8"/>'
            "{}</pattern>",
            kind,
            chart_id,
            kind,
            PATTERN_INK[STATUS_PATTERNS.get(kind, "plain")],
        )
        for kind in dict.fromkeys(kinds)
    ]
    return format_html("<defs>{}</defs>", join(items))


def svg_document(
    chart_id: str, title: str, description: str, size: tuple[int, float], body: Iterable[SafeString]
) -> SafeString:
    """The chart's `<svg>`, named by its `<title>` and described by its `<desc>`."""
    width, height = size
    return format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        chart_id,
        width,
        height,
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        join(body),
    )


def join(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def empty_note(x: float, y: float) -> SafeString:
    return format_html(
        '<text class="chart-empty" x="{}" y="{}" text-anchor="middle">{}</text>',
        x,
        y,
        "No data yet",
    )
