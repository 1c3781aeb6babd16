from __future__ import annotations

import functools
import html
from datetime import datetime
from typing import Any

from django import template
from django.forms import BoundField
from django.template import Context
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def dictget(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, 0)


@register.filter
def age(moment: datetime | None) -> str:
    """A short age for dense tables: 45s, 12m, 3h, 2d."""
    if moment is None:
        return "never"
    seconds = max(0, int((timezone.now() - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


STATUS_ICONS = {
    "ready": "✔",
    "failed": "✖",
    "warn": "⚠",
    "progressing": "↻",
    "stale": "○",
}


@register.simple_tag
def status_badge(status: str | None) -> str:
    """A status as icon + text (never colour alone), rendered in Python: pages show hundreds."""
    return _status_badge(status or "unknown")


@functools.lru_cache(maxsize=64)
def _status_badge(s: str) -> str:
    return format_html(
        '<span class="status status-{}" title="{}"><span class="status-icon" aria-hidden="true">'
        "{}</span> {}</span>",
        s,
        s.title(),
        STATUS_ICONS.get(s, "?"),
        s.title(),
    )


@register.simple_tag
def filter_select(field: BoundField) -> str:
    """A filter <select> in Python: Django's widget renders a template per option, and the
    catalog has one option per item."""
    value = field.value()
    selected = "" if value is None else str(value)
    options = "".join(
        f'<option value="{e(v)}"{" selected" if str(v) == selected else ""}>{e(label)}</option>'
        for v, label in getattr(field.field, "choices", ())
    )
    name, id_ = e(field.html_name), e(field.id_for_label)
    return mark_safe(f'<select name="{name}" id="{id_}">{options}</select>')  # noqa: S308  # escaped


@register.simple_tag(takes_context=True)
def lab_row(context: Context, lab: dict[str, Any], oob: bool = False) -> str:
    """A labs table row (`selectors.lab_table_rows`) in Python: 50 of them render on every view of
    the table, where the template engine's per-variable cost made up most of its server time.
    Every value is escaped with `e`, once, into one f-string (format_html per cell cost as much)."""
    changed = lab["status_changed_at"]
    since = "—"
    if changed:
        iso = timezone.localtime(changed).isoformat()
        since = f'<time datetime="{e(iso)}">{e(age(changed))} ago</time>'
    detail = reverse("labs:lab_instance_detail", args=[lab["pk"]])
    cluster = lab["cluster_name"]
    swap = ' hx-swap-oob="true"' if oob else ""
    return mark_safe(  # noqa: S308  # every value is escaped with `e`
        f'<tr id="lab-row-{int(lab["pk"])}"{swap}>'
        f'<td class="mono"><a href="{e(detail)}">{e(lab["namespace"])}</a></td>'
        f'<td class="mono">{e(lab["guid"] or "—")}</td>'
        f'<td><a href="{e(cluster_url(context, cluster))}">{e(cluster)}</a></td>'
        f"<td>{e(lab['catalog_item'])}</td><td>{e(lab['team_name'] or '—')}</td>"
        f"<td>{status_badge(lab['status'])}</td><td>{e(lab['failure_class'] or '—')}</td>"
        f"<td>{since}</td></tr>"
    )


def e(value: object) -> str:
    """HTML-escaped text (django.utils.html.escape without the SafeString it returns)."""
    return html.escape(str(value))


def cluster_url(context: Context, name: str) -> str:
    """A cluster's URL, reversed once per template render (a page of rows shares a few clusters)."""
    memo: Any = context.render_context  # django-stubs type its values for the loader's use only
    urls: dict[str, str] = memo.setdefault("cluster_urls", {})
    if name not in urls:
        urls[name] = reverse("labs:cluster_detail", args=[name])
    return urls[name]
