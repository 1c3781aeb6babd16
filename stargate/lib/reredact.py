"""Re-redaction of rows stored before the current redaction rules (used by data migrations).

Evidence (objects in Kubernetes shape) goes through every rule of `stargate.lib.redact`;
other stored values (reasons, errors, criteria, excerpts, memories, results) through the
free-text rules on every string, keys and structure kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet

from stargate.lib.redact import redact, redact_text

BATCH = 500


def redact_strings(value: Any) -> Any:
    """A copy of a JSON-like value with the free-text rules applied to every string in it."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_strings(item) for item in value]
    return value


def rows_reredact(
    rows: QuerySet[Any], *, evidence: tuple[str, ...] = (), text: tuple[str, ...] = ()
) -> int:
    """Re-redact the `evidence` and `text` fields of `rows` in batches; the rows changed."""
    rules: dict[str, Callable[[Any], Any]] = {
        **dict.fromkeys(evidence, redact),
        **dict.fromkeys(text, redact_strings),
    }
    changed: list[Model] = []
    count = 0
    for row in rows.only("pk", *rules).iterator(chunk_size=BATCH):
        if _reredact(row, rules):
            changed.append(row)
        if len(changed) >= BATCH:
            count += _save(rows, changed, rules)
    return count + _save(rows, changed, rules)


def _reredact(row: Model, rules: dict[str, Callable[[Any], Any]]) -> bool:
    dirty = False
    for field, rule in rules.items():
        before = getattr(row, field)
        after = rule(before)
        if after != before:
            setattr(row, field, after)
            dirty = True
    return dirty


def _save(rows: QuerySet[Any], changed: list[Model], rules: dict[str, Any]) -> int:
    if changed:
        rows.model.objects.bulk_update(changed, list(rules))
    count = len(changed)
    changed.clear()
    return count
