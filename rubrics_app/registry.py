"""The rubric set the running process uses: loaded from `settings.RUBRICS_DIR` once, then cached;
the scan's set adds the promoted classification rules switched on in the database."""

from __future__ import annotations

import dataclasses
import time
from functools import cache
from pathlib import Path

from django.conf import settings

from .definitions import ClassificationRuleDef, FailureClassDef
from .loader import RubricSet, rubric_set_load


@cache
def _load(directory: Path) -> RubricSet:
    return rubric_set_load(directory)


def active_rubrics() -> RubricSet:
    return _load(Path(settings.RUBRICS_DIR))


def active_rubrics_clear() -> None:
    _load.cache_clear()
    _merged.clear()


RuleRow = tuple[str, int, str, str, str, str, str, str, bool, str, str]
RULE_FIELDS = (
    "rule_id",
    "version",
    "rubric_id",
    "criterion",
    "kind",
    "reason",
    "message_pattern",
    "failure_class",
    "novel",
    "class_code",
    "class_summary",
)


def rule_definition(row: RuleRow) -> ClassificationRuleDef:
    rule_id, version, rubric, criterion, kind, reason, pattern, cls, *_ = row
    return ClassificationRuleDef.model_validate(
        {
            "id": rule_id,
            "version": version,
            "rubric": rubric,
            "criterion": criterion or None,
            "kind": kind or None,
            "reason": reason or None,
            "message_pattern": pattern or None,
            "class": cls,
        }
    )


def novel_class(row: RuleRow) -> FailureClassDef:
    cls, code, summary = row[7], row[9], row[10]
    return FailureClassDef(
        id=cls, code=code, severity="medium", action=f"diagnose-{cls}", summary=summary or cls
    )


_merged: dict[tuple[int, tuple[RuleRow, ...]], RubricSet] = {}


def _with_rules(base: RubricSet, rows: tuple[RuleRow, ...]) -> RubricSet:
    key = (id(base), rows)
    if key not in _merged:
        _merged.clear()  # one set of active rules at a time
        _merged[key] = rubric_set_with_rules(base, rows)
    return _merged[key]


def rubric_set_with_rules(base: RubricSet, rows: tuple[RuleRow, ...]) -> RubricSet:
    """`base` plus these rules (a database rule replaces the file's rule of the same id) and
    the novel classes they introduce."""
    rules = {rule.id: rule for rule in base.classification_rules}
    classes = dict(base.classes)
    for row in rows:
        rules[row[0]] = rule_definition(row)
        if row[8] and row[7] not in classes:
            classes[row[7]] = novel_class(row)
    return dataclasses.replace(base, classes=classes, classification_rules=tuple(rules.values()))


# Active promoted rules, read at most this often per process (a scan batch costs no query for
# them); the process that switches a rule on sees it at once (`scan_rules_clear`).
RULES_REFRESH_SECONDS = 15.0
_rules_read: list[tuple[float, tuple[RuleRow, ...]]] = []


def scan_rules_clear() -> None:
    _rules_read.clear()


def _active_rule_rows() -> tuple[RuleRow, ...]:
    from .models import ClassificationRule

    now = time.monotonic()
    if _rules_read and now - _rules_read[0][0] < RULES_REFRESH_SECONDS:
        return _rules_read[0][1]
    rows = ClassificationRule.objects.filter(status=ClassificationRule.Status.ACTIVE)
    values: tuple[RuleRow, ...] = tuple(rows.order_by("rule_id").values_list(*RULE_FIELDS))
    _rules_read[:] = [(now, values)]
    return values


def scan_rubrics() -> RubricSet:
    """The loaded rubrics with the promoted rules now active."""
    values = _active_rule_rows()
    base = active_rubrics()
    return _with_rules(base, values) if values else base
