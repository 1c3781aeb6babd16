from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

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
