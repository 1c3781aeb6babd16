from __future__ import annotations

from typing import Any

from django import template

from remediation.selectors import pending_count

register = template.Library()


@register.inclusion_tag("remediation/nav_link.html", takes_context=True)
def approval_nav(context: dict[str, Any]) -> dict[str, Any]:
    """The header link with the pending count, for users who may approve."""
    user = context.get("user")
    show = bool(user and user.has_perm("remediation.approve_actionrequest"))
    return {"show": show, "pending_count": pending_count() if show else 0}
