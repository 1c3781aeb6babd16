"""HTML snippets the dense dashboard tables render in Python rather than through templates:
pages show hundreds of them, and the template engine's per-variable cost adds up (see
bench/bench_dashboard.py). Every value is escaped with `e`."""

from __future__ import annotations

import functools
import html
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.forms import BoundField
from django.utils import timezone

if TYPE_CHECKING:
    from dashboard.tables import HeaderCell

STATUS_ICONS = {
    "ready": "✔",
    "failed": "✖",
    "warn": "⚠",
    "progressing": "↻",
    "stale": "○",
}
AGE_UNITS = (("d", 86400), ("h", 3600), ("m", 60))


def e(value: object) -> str:
    """HTML-escaped text (django.utils.html.escape without the SafeString it returns)."""
    return html.escape(str(value))


def age(moment: datetime, now: datetime | None = None) -> str:
    """A short age for dense tables: 45s, 12m, 3h, 2d (static/js/ages.js has the same rule)."""
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    for unit, size in AGE_UNITS:
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def age_time(moment: datetime, suffix: str = " ago", now: datetime | None = None) -> str:
    """An age in a `<time>` that static/js/ages.js keeps counting on an open page."""
    return (
        f'<time datetime="{moment.isoformat()}" data-age="{e(suffix)}">'
        f"{age(moment, now)}{e(suffix)}</time>"
    )


@functools.lru_cache(maxsize=64)
def status_badge(status: str) -> str:
    """A status as icon + text, never colour alone."""
    s, label = e(status), e(status.title())
    icon = STATUS_ICONS.get(status, "?")
    return (
        f'<span class="status status-{s}" title="{label}">'
        f'<span class="status-icon" aria-hidden="true">{icon}</span> {label}</span>'
    )


def filter_control(field: BoundField, options: Sequence[tuple[str, str]] | None) -> str:
    """A filter form's field as a label around its control: a select of `options` (after the
    field's empty label), or a search box when there are none. In Python: Django's widgets render
    a template per control and per option, and the catalog has one option per item."""
    value = field.value()
    selected = "" if value is None else str(value)
    name, id_ = e(field.html_name), e(field.id_for_label)
    if options is None:
        control = f'<input type="search" name="{name}" value="{e(selected)}" id="{id_}">'
    else:
        empty = str(getattr(field.field, "empty_label", "") or "")
        html_options = _options(empty, tuple(options))
        if selected:
            option = f'<option value="{e(selected)}">'
            html_options = html_options.replace(option, f"{option[:-1]} selected>", 1)
        control = f'<select name="{name}" id="{id_}">{html_options}</select>'
    return f'<label for="{id_}">{e(field.label)}{control}</label>'


@functools.lru_cache(maxsize=32)
def _options(empty: str, options: tuple[tuple[str, str], ...]) -> str:
    """The options' HTML: the same few lists render on every view of the labs table."""
    pairs = (("", empty), *options)
    return "".join(f'<option value="{e(v)}">{e(label)}</option>' for v, label in pairs)


def header_row(cells: Sequence[HeaderCell]) -> str:
    """The labs table's header: `dashboard.tables.HeaderCell`s as sort links, the sorted one marked
    with an arrow (and `aria-sort` for screen readers)."""
    ths = []
    for cell in cells:
        label = e(cell.label)
        if not cell.url:
            ths.append(f"<th>{label}</th>")
            continue
        url = e(cell.url)
        if cell.order:
            sort = "descending" if cell.order == "desc" else "ascending"
            arrow = " ▼" if cell.order == "desc" else " ▲"
            ths.append(
                f'<th aria-sort="{sort}"><a href="{url}" hx-get="{url}" '
                f'class="sort sorted-{e(cell.order)}">{label}'
                f'<span aria-hidden="true">{arrow}</span></a></th>'
            )
        else:
            ths.append(f'<th><a href="{url}" hx-get="{url}" class="sort">{label}</a></th>')
    return f"<thead><tr>{''.join(ths)}</tr></thead>"
