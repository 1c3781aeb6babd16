from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.safestring import mark_safe

from dashboard.html import age_time, e, filter_control, header_row, status_badge
from dashboard.rows import RowRenderer
from stargate.lib.redact import redact_url

register = template.Library()


@register.filter(name="redact_url")
def redact_url_filter(url: str) -> str:
    """A URL shown without its userinfo (a cluster's API URL may carry credentials)."""
    return redact_url(url or "")


@register.filter
def dictget(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, 0)


@register.simple_tag(name="age_time")
def age_time_tag(moment: datetime | None, suffix: str = " ago") -> str:
    """A moment as a short age ("12m ago") in a `<time>` that static/js/ages.js keeps counting on
    an open page."""
    if moment is None:
        return mark_safe('<span class="muted">never</span>')
    return mark_safe(age_time(moment, suffix))  # noqa: S308  # escaped with `e`


@register.simple_tag(name="status_badge")
def status_badge_tag(status: str | None) -> str:
    """A status as icon + text (never colour alone)."""
    return mark_safe(status_badge(status or "unknown"))  # noqa: S308  # escaped with `e`


@register.simple_tag
def filter_controls(filterset: Any) -> str:
    """Each filter as a label around its control (`dashboard.html.filter_control`); `filterset` has
    the options of its selects by filter name (`dashboard.filters.LabInstanceFilter.options`)."""
    options = filterset.options
    controls = (filter_control(field, options.get(field.name)) for field in filterset.form)
    return mark_safe("".join(controls))  # noqa: S308  # escaped with `e`


@register.simple_tag
def table_header(table: Any) -> str:
    """The labs table's header row with its sort links (`dashboard.html.header_row`)."""
    return mark_safe(header_row(table.header_cells()))  # noqa: S308  # escaped with `e`


@register.simple_tag(name="lab_rows")
def lab_rows_tag(table: Any) -> str:
    """The rows of the labs table's page (`dashboard.rows`), or a row saying that none matches."""
    renderer = RowRenderer()
    rows = [renderer.row(row.record) for row in table.paginated_rows]
    if not rows:
        empty = f'<td colspan="{len(table.columns)}" class="muted">{e(table.empty_text)}</td>'
        return mark_safe(f"<tr>{empty}</tr>")  # noqa: S308  # escaped with `e`
    return mark_safe("\n".join(rows))  # noqa: S308  # each row escapes its values


@register.simple_tag(name="lab_row")
def lab_row_tag(lab: dict[str, Any], oob: bool = False) -> str:
    """One labs table row (`dashboard.rows`), as the live updates push it."""
    return mark_safe(RowRenderer().row(lab, oob=oob))  # noqa: S308  # escaped with `e`
