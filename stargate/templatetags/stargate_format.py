"""Readable durations for pages and the admin: `{{ run.duration_ms|duration_ms }}` → "42.1 s"."""

from __future__ import annotations

from django import template

from stargate.lib.durations import duration_text

register = template.Library()


@register.filter
def duration_ms(value: float | None) -> str:
    return "" if value is None else duration_text(float(value) / 1000)


@register.filter
def duration_seconds(value: float | None) -> str:
    return "" if value is None else duration_text(float(value))
