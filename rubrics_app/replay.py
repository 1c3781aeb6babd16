"""Replay: which labs a changed rubric set would judge differently, and why (pure, no ORM)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from stargate.lib.evidence import NamespaceEvidence

from .engine import evaluate
from .loader import RubricSet
from .outcomes import LabEvaluation, Outcome, RubricOutcome


@dataclass(frozen=True)
class RubricDiff:
    rubric_id: str
    before: str  # outcome (and class), "-" when the rubric did not apply
    after: str
    why: str


@dataclass(frozen=True)
class LabDiff:
    label: str
    before: Outcome
    after: Outcome
    rubrics: tuple[RubricDiff, ...]


def _describe(outcome: RubricOutcome | None) -> str:
    if outcome is None:
        return "-"
    suffix = f" ({outcome.failure_class})" if outcome.failure_class else ""
    return f"{outcome.outcome.value}{suffix}"


def _diff(before: LabEvaluation, after: LabEvaluation) -> tuple[RubricDiff, ...]:
    old = {o.rubric_id: o for o in before.rubrics}
    new = {o.rubric_id: o for o in after.rubrics}
    diffs = []
    for rubric_id in [*old, *(r for r in new if r not in old)]:
        was, now = old.get(rubric_id), new.get(rubric_id)
        if _describe(was) != _describe(now):
            why = now.reason if now and now.reason else ("no longer applies" if not now else "")
            diffs.append(RubricDiff(rubric_id, _describe(was), _describe(now), why))
    return tuple(diffs)


def replay(
    items: Iterable[tuple[str, NamespaceEvidence]],
    current: RubricSet,
    candidate: RubricSet,
    now: datetime,
) -> Iterator[LabDiff]:
    """Evaluate each (label, evidence) under both sets; yield the labs whose verdicts differ."""
    for label, evidence in items:
        before = evaluate(evidence, current, now)
        after = evaluate(evidence, candidate, now)
        if diffs := _diff(before, after):
            yield LabDiff(label, before.status, after.status, diffs)
