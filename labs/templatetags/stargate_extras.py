from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def dictget(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, 0)
