"""HTML snippets the dense dashboard tables render in Python rather than through templates:
pages show hundreds of them, and the template engine's per-variable cost adds up (see
bench/bench_dashboard.py). Everything is built with `format_html`, which escapes every value."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from django.forms import BoundField
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

STATUS_ICONS = {
    "ready": "✔",
    "failed": "✖",
    "warn": "⚠",
    "progressing": "↻",
    "stale": "○",
}
AGE_UNITS = (("d", 86400), ("h", 3600), ("m", 60))
NEVER = format_html('<span class="muted">{}</span>', "never")


def age(moment: datetime, now: datetime | None = None) -> str:
    """A short age for dense tables: 45s, 12m, 3h, 2d (static/js/ages.js has the same rule)."""
    seconds = max(0, int(((now or timezone.now()) - moment).total_seconds()))
    for unit, size in AGE_UNITS:
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def age_time(moment: datetime, suffix: str = " ago", now: datetime | None = None) -> SafeString:
    """An age in a `<time>` that static/js/ages.js keeps counting on an open page."""
    return _age_time(moment, suffix, age(moment, now))


@functools.lru_cache(maxsize=65536)
def _age_time(moment: datetime, suffix: str, age_text: str) -> SafeString:
    """Kept per process: a table shows the same moments at the same ages on view after view."""
    return format_html(
        '<time datetime="{}" data-age="{}">{}{}</time>',
        moment.isoformat(),
        suffix,
        age_text,
        suffix,
    )


@functools.lru_cache(maxsize=65536)
def text_html(text: object) -> SafeString:
    """`text` escaped (Django's `escape`), once per process: the labs table shows the same names,
    namespaces, ids and moments on every view, and `format_html` passes what is escaped already
    through at a fraction of the cost of escaping it again (see bench/bench_dashboard.py)."""
    return escape(text)


@functools.lru_cache(maxsize=64)
def status_badge(status: str) -> SafeString:
    """A status as icon + text, never colour alone."""
    label = status.title()
    return format_html(
        '<span class="status status-{}" title="{}">'
        '<span class="status-icon" aria-hidden="true">{}</span> {}</span>',
        status,
        label,
        STATUS_ICONS.get(status, "?"),
        label,
    )


def filter_control(field: BoundField, options: Sequence[tuple[str, str]] | None) -> SafeString:
    """A filter form's field as a label around its control: a select of `options` (after the
    field's empty label), or a search box when there are none. In Python: Django's widgets render
    a template per control and per option, and the catalog has one option per item."""
    value = field.value()
    selected = "" if value is None else str(value)
    if options is None:
        control = format_html(
            '<input type="search" name="{}" value="{}" id="{}">',
            field.html_name,
            selected,
            field.id_for_label,
        )
    else:
        empty = str(getattr(field.field, "empty_label", "") or "")
        control = format_html(
            '<select name="{}" id="{}">{}</select>',
            field.html_name,
            field.id_for_label,
            _options(empty, tuple(options), selected),
        )
    return format_html('<label for="{}">{}{}</label>', field.id_for_label, field.label, control)


@functools.lru_cache(maxsize=256)
def _options(empty: str, options: tuple[tuple[str, str], ...], selected: str) -> SafeString:
    """The options' HTML: the same few lists, with the same few selections, render on every view
    of the labs table."""
    pairs = (("", empty), *options)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, SELECTED if value == selected and selected else "", text)
            for value, text in pairs
        ),
    )


SELECTED = format_html("{}", " selected")
