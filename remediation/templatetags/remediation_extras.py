from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("remediation/nav_link.html", takes_context=True)
def approval_nav(context: dict[str, Any]) -> dict[str, Any]:
    """A placeholder htmx fills with the approvals link and count: no query on every page."""
    return {"user": context.get("user")}
