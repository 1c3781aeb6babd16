from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from dashboard.html import NEVER, age_time, filter_control, status_badge
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
def age_time_tag(moment: datetime | None, suffix: str = " ago") -> SafeString:
    """A moment as a short age ("12m ago") in a `<time>` that static/js/ages.js keeps counting on
    an open page."""
    return NEVER if moment is None else age_time(moment, suffix)


@register.simple_tag(name="status_badge")
def status_badge_tag(status: str | None) -> SafeString:
    """A status as icon + text (never colour alone)."""
    return status_badge(status or "unknown")


@register.simple_tag
def filter_controls(filterset: Any) -> SafeString:
    """Each filter as a label around its control (`dashboard.html.filter_control`); `filterset`
    has the options of its selects by filter name (`dashboard.filters.LabInstanceFilter`)."""
    options = filterset.options
    return format_html_join(
        "", "{}", ((filter_control(field, options.get(field.name)),) for field in filterset.form)
    )
