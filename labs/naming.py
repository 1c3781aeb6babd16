"""Recognise lab namespaces by name: `sandbox-<guid>-<catalog-item>` and configured patterns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings


@dataclass(frozen=True)
class LabName:
    namespace: str
    guid: str
    catalog_item: str


@lru_cache(maxsize=16)
def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def parse_lab_namespace(namespace: str, patterns: Iterable[str] | None = None) -> LabName | None:
    """The GUID and catalog item of a lab namespace, or None when it is not one.

    A pattern names its groups `guid` and `catalog_item`; a pattern without `catalog_item` maps the
    namespace to a lab of its own name (platform namespaces watched as labs).
    """
    compiled = _compile(
        tuple(patterns if patterns is not None else settings.LAB_NAMESPACE_PATTERNS)
    )
    for pattern in compiled:
        match = pattern.match(namespace)
        if match:
            groups = match.groupdict()
            return LabName(
                namespace=namespace,
                guid=groups.get("guid") or "",
                catalog_item=groups.get("catalog_item") or namespace,
            )
    return None
