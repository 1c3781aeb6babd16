"""The SVG chart builders (stargate.lib.charts): pure, no database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from stargate.lib.charts.bars import bar_chart
from stargate.lib.charts.lines import direct_label_positions, time_chart, time_ticks, value_ticks
from stargate.lib.charts.strip import status_strip
from stargate.lib.charts.svg import Bar, LinearScale, Segment, Series, StripRow, nice_max

END = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
START = END - timedelta(hours=24)


def hourly(*values: float) -> list[tuple[datetime, float]]:
    return [(END - timedelta(hours=len(values) - i), v) for i, v in enumerate(values)]


def test_it_rounds_the_axis_up_to_1_2_5() -> None:
    assert [nice_max(v) for v in (0, 0.3, 1, 3, 7, 12, 20, 51)] == [1, 0.5, 1, 5, 10, 20, 20, 100]


def test_it_maps_values_onto_pixels_both_ways() -> None:
    y = LinearScale(0, 10, 180, 20)
    assert (y(0), y(5), y(10)) == (180, 100, 20)
    assert LinearScale(3, 3, 0, 100)(3) == 0  # an empty domain does not divide by zero


def test_it_ticks_every_6_hours_over_a_day_and_every_day_over_a_week() -> None:
    day = time_ticks(START, END)
    assert len(day) == 5 and all(t.hour % 6 == 0 and t.minute == 0 for t in day)
    week = time_ticks(END - timedelta(days=7), END)
    assert len(week) == 7 and all(t.hour == 0 for t in week)


def test_it_steps_the_axis_roundly() -> None:
    assert value_ticks(5) == [0, 1, 2, 3, 4, 5]
    assert value_ticks(20) == [0, 5, 10, 15, 20]


def test_it_moves_direct_labels_apart() -> None:
    assert direct_label_positions([50, 52, 100, 51]) == [50, 72, 100, 61]


def test_it_draws_failed_hatched_and_warn_dotted_with_their_own_dash_and_marker() -> None:
    html = time_chart(
        chart_id="c",
        title="Labs",
        series=[
            Series("Failed", "failed", hourly(1, 4, 2)),
            Series("Warn", "warn", hourly(0, 1, 3)),
        ],
        start=START,
        end=END,
        area=frozenset({"failed", "warn"}),
    )
    assert 'id="c-fill-failed"' in html and 'id="c-fill-warn"' in html
    assert 'fill="url(#c-fill-failed)"' in html and 'fill="url(#c-fill-warn)"' in html
    assert "M0,8 L8,0" in html  # the hatch
    assert "<circle" in html  # the dots
    dashes = re.findall(
        r'class="chart-line" d="[^"]*" fill="none"( stroke-dasharray="[^"]*")?', html
    )
    assert len(dashes) == 2 and dashes[0] != dashes[1]
    assert "■ Failed 2" in html and "▲ Warn 3" in html  # direct labels with the marker's shape
    assert "Failed: latest 2, peak 4" in html  # the <desc>
    assert "<title>" in html and "Failed: 4</title>" in html  # tooltips


def test_it_says_so_when_there_is_no_data() -> None:
    html = time_chart(
        chart_id="e", title="Empty", series=[Series("Failed", "failed", [])], start=START, end=END
    )
    assert "No data yet" in html
    assert '<desc id="e-desc">No data yet.</desc>' in html
    assert "chart-line" not in html


def test_it_escapes_names() -> None:
    html = time_chart(
        chart_id="x", title="<b>", series=[Series("<node>", "s0", hourly(1))], start=START, end=END
    )
    assert "<node>" not in html and "&lt;node&gt;" in html and "<b>" not in html


def test_it_scales_to_a_fixed_maximum() -> None:
    html = time_chart(
        chart_id="p",
        title="CPU",
        series=[Series("n", "s0", hourly(50))],
        start=START,
        end=END,
        unit=" %",
        y_max=100.0,
    )
    assert ">100 %</text>" in html and ">n 50 %</text>" not in html and "n 50 %" in html


def test_it_prints_each_bar_value() -> None:
    html = bar_chart(
        chart_id="b",
        title="Success",
        bars=[Bar("crashloop / restart-pod", 0.5, "50% of 4 runs"), Bar("x", 1.0, "100% of 1 run")],
        max_value=1.0,
    )
    assert "50% of 4 runs" in html and "100% of 1 run" in html
    widths = re.findall(r'class="chart-bar-fill" x="230" y="[^"]*" width="([^"]*)"', html)
    assert float(widths[1]) == 2 * float(widths[0])


def test_it_draws_no_bars_when_there_are_none() -> None:
    assert "No data yet" in bar_chart(chart_id="n", title="T", bars=[])


def test_it_draws_a_status_strip_with_patterns_icons_and_tooltips() -> None:
    rows = [
        StripRow(
            "pods",
            [
                Segment(START, START + timedelta(hours=6), "ready"),
                Segment(START + timedelta(hours=6), END, "failed"),
            ],
        ),
        StripRow("showroom", [Segment(START, END, "warn")]),
    ]
    html = status_strip(chart_id="s", title="Strip", rows=rows, start=START, end=END)
    assert html.count('class="chart-segment') == 3
    assert 'fill="url(#s-fill-failed)"' in html and 'id="s-fill-warn"' in html
    assert "✖</text>" in html and "⚠</text>" in html and "✔</text>" in html
    assert "<title>pods: Failed from Mon 03 18:00 to Tue 04 12:00</title>" in html
    assert "pods: Failed since" in html  # the <desc>
    assert "✖ Failed</text>" in html  # the legend
