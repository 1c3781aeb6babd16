"""The rubric engine: pure, no ORM. Evidence, rubrics, a clock and memory in; verdicts out."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from stargate.lib.evidence import NamespaceEvidence

from .checks import CHECKS
from .definitions import ClassificationRuleDef, Condition, Criterion, RubricDef
from .facts import Facts
from .loader import RubricSet
from .outcomes import (
    SEVERITY,
    ClassSource,
    CriterionResult,
    LabEvaluation,
    Outcome,
    PreviousState,
    RubricOutcome,
    Seen,
    worst,
)
from .semantics.common import Health, ObjectHealth

NO_MEMORY = PreviousState()


def fingerprint(lab: str, rubric_id: str, failure_class: str, object_ref: str) -> str:
    key = f"{lab}|{rubric_id}|{failure_class}|{object_ref}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


class _Run:
    """One evaluation of one namespace: the facts, the clock, and the memory in and out."""

    def __init__(self, evidence: NamespaceEvidence, now: datetime, previous: PreviousState) -> None:
        self.facts = Facts(evidence, now)
        self.now = now
        self.previous = previous.seen
        self.carried = previous.classes
        self.rules: tuple[ClassificationRuleDef, ...] = ()
        self.seen: dict[str, Seen] = {}
        self.entries: dict[tuple[str, str, int], CriterionResult] = {}
        self.lab = f"{evidence.get('cluster', '')}/{evidence.get('namespace', '')}"

    def since(self, key: str, obj: ObjectHealth) -> datetime:
        """When the object's state began: its own timestamp where it marks that (it survives a
        lost memory); else when the engine first saw it at this progress marker. First sight of
        a state the object does not time is now: one snapshot cannot show a stall."""
        held = self.previous.get(key)
        if obj.since is not None:
            since = obj.since
        elif held is not None and held.marker == obj.marker:
            since = held.since
        else:
            since = self.now  # first sight, or the progress marker moved: the window restarts
        self.seen[key] = Seen(since, obj.marker)
        return since

    def criterion(self, rubric: RubricDef, criterion: Criterion) -> CriterionResult:
        required = criterion.required or bool(
            criterion.required_if_lab
            and self.facts.evidence.get("lab", {}).get(criterion.required_if_lab)
        )
        healths = CHECKS[criterion.check](self.facts, criterion)
        if healths is None:
            message = "the evidence this criterion needs was not collected"
            return CriterionResult(criterion.id, required, Outcome.UNKNOWN, "NotCollected", message)
        result = self._judge(rubric, criterion, required, healths)
        if not required and result.outcome is Outcome.FAILED:
            return result._replace(outcome=Outcome.WARN)
        return result

    def _judge(
        self, rubric: RubricDef, criterion: Criterion, required: bool, healths: list[ObjectHealth]
    ) -> CriterionResult:
        pending = tuple(h for h in healths if h.status is not Health.READY)
        if not pending:
            return CriterionResult(criterion.id, required, Outcome.READY, checked=len(healths))
        verdict = (criterion.id, required, pending, len(healths))
        # Timed before a failure decides, so a failing neighbour does not erase their memory.
        progressing = [
            (self.since(f"{rubric.id}/{criterion.id}/{h.ref}", h), h)
            for h in pending
            if h.status is Health.PROGRESSING
        ]
        if failed := next((h for h in pending if h.status is Health.FAILED), None):
            return _result(verdict, Outcome.FAILED, failed)
        if progressing:
            since, first = min(progressing, key=lambda pair: pair[0])
            if self.now - since > timedelta(seconds=criterion.grace_seconds):
                return _result(verdict, Outcome.FAILED, first, since, timed_out=True)
            return _result(verdict, Outcome.PROGRESSING, first, since)
        return _result(verdict, Outcome.WARN, pending[0])

    def entry(self, rubric: RubricDef, criterion: Criterion) -> CriterionResult:
        """Entry criteria repeat across rubrics (namespace-exists): judge each once per run."""
        key = (criterion.check, criterion.id, criterion.grace_seconds)
        held = self.entries.get(key)
        if held is None:
            held = self.entries[key] = self.criterion(rubric, criterion)
        return held

    def rubric(self, rubric: RubricDef, rubrics: RubricSet) -> RubricOutcome:
        classes = rubrics.actions
        self.rules = rubrics.rules_by_rubric.get(rubric.id, ())
        for criterion in rubric.entry_criteria:
            entry = self.entry(rubric, criterion)
            if entry.outcome is Outcome.READY or entry.outcome is Outcome.WARN:
                continue
            if entry.outcome is Outcome.FAILED or entry.outcome is Outcome.UNKNOWN:
                reason = f"entry criterion {criterion.id} is {entry.outcome.value}"
                return self._outcome(rubric, Outcome.UNKNOWN, reason, (entry,), None, classes)
            reason = f"waiting for entry criterion {criterion.id}"
            return self._outcome(rubric, Outcome.PROGRESSING, reason, (entry,), None, classes)
        results = tuple([self.criterion(rubric, c) for c in rubric.exit_criteria])
        deciding = results[0]
        for result in results:
            if SEVERITY[result.outcome] > SEVERITY[deciding.outcome]:
                deciding = result
        outcome = deciding.outcome
        if outcome is Outcome.READY:
            return self._outcome(rubric, outcome, "", results, None, classes)
        reason = f"{deciding.id}: {deciding.message}"
        return self._outcome(rubric, outcome, reason, results, deciding, classes)

    def _reclassify(
        self,
        rubric: RubricDef,
        deciding: CriterionResult | None,
        failure_class: str,
        source: ClassSource,
        print_: str,
    ) -> tuple[str, ClassSource, str]:
        """What no rubric rule explains (the default class, evidence missing with an object):
        a promoted rule first, else the class a proposal or review gave this very failure."""
        if deciding is None or source is ClassSource.RULE or not failure_class:
            return failure_class, source, ""
        for rule in self.rules:
            if rule_matches(rule, deciding):
                return rule.class_, ClassSource.RULE, f"{rule.id}@v{rule.version}"
        carried = self.carried.get(rubric.id)
        if carried is not None and carried.fingerprint == print_:
            return carried.failure_class, carried.source, ""
        return failure_class, source, ""

    def _outcome(
        self,
        rubric: RubricDef,
        outcome: Outcome,
        reason: str,
        results: tuple[CriterionResult, ...],
        deciding: CriterionResult | None,
        actions: dict[str, str],
    ) -> RubricOutcome:
        failure_class, ref, source = "", "", ClassSource.ENGINE
        if deciding is None:
            pass
        elif outcome is Outcome.UNKNOWN:
            failure_class = "evidence-missing"
            ref = deciding.deciding.ref if deciding.deciding else ""
        elif outcome is Outcome.FAILED or outcome is Outcome.WARN:
            failure_class, source = classify_with_source(rubric, deciding)
            ref = deciding.deciding.ref if deciding.deciding else ""
        # The fingerprint names the failure as the rubric sees it, whatever class it then gets.
        print_ = fingerprint(self.lab, rubric.id, failure_class, ref) if failure_class else ""
        failure_class, source, rule = self._reclassify(
            rubric, deciding, failure_class, source, print_
        )
        return RubricOutcome(
            rubric.id,
            rubric.version,
            outcome,
            reason,
            failure_class,
            actions.get(failure_class, ""),
            ref,
            print_,
            results,
            source.value if failure_class else "",
            rule,
        )


def _result(
    verdict: tuple[str, bool, tuple[ObjectHealth, ...], int],
    outcome: Outcome,
    obj: ObjectHealth,
    since: datetime | None = None,
    timed_out: bool = False,
) -> CriterionResult:
    criterion_id, required, pending, checked = verdict
    message = obj.message or obj.reason
    return CriterionResult(
        criterion_id,
        required,
        outcome,
        obj.reason,
        message,
        since,
        timed_out,
        obj,
        pending,
        checked,
    )


def _matches(when: Condition, result: CriterionResult) -> bool:
    obj = result.deciding
    return (
        (when.criterion is None or when.criterion == result.id)
        and (not when.kinds or (obj is not None and obj.kind in when.kinds))
        and (not when.reasons or (obj is not None and obj.reason in when.reasons))
        and (when.timed_out is None or when.timed_out == result.timed_out)
    )


def classify(rubric: RubricDef, result: CriterionResult) -> str:
    """The first failure-class rule whose conditions all hold, else the rubric's default."""
    return classify_with_source(rubric, result)[0]


def classify_with_source(rubric: RubricDef, result: CriterionResult) -> tuple[str, ClassSource]:
    """The class and whether a rule matched (RULE) or the rubric's default applied (DEFAULT)."""
    for rule in rubric.failure_classes:
        if _matches(rule.when, result):
            return rule.class_, ClassSource.RULE
    return rubric.default_class, ClassSource.DEFAULT


_PATTERNS: dict[str, re.Pattern[str]] = {}


def rule_matches(rule: ClassificationRuleDef, result: CriterionResult) -> bool:
    """A promoted rule's conditions on the deciding criterion and object; every given one holds."""
    obj = result.deciding
    if rule.criterion is not None and rule.criterion != result.id:
        return False
    if rule.kind is not None and (obj is None or obj.kind != rule.kind):
        return False
    if rule.reason is not None and (obj is None or obj.reason != rule.reason):
        return False
    if rule.message_pattern is not None:
        pattern = _PATTERNS.get(rule.message_pattern)
        if pattern is None:
            pattern = _PATTERNS[rule.message_pattern] = re.compile(rule.message_pattern)
        if not pattern.search(result.message or ""):
            return False
    return True


def _stale(evidence: NamespaceEvidence) -> bool:
    health = evidence.get("cluster_health")
    return bool(evidence.get("stale")) or (health is not None and health.get("reachable") is False)


def _stale_outcome(run: _Run, rubric: RubricDef, actions: dict[str, str]) -> RubricOutcome:
    cls = "cluster-unreachable"
    return RubricOutcome(
        rubric.id,
        rubric.version,
        Outcome.STALE,
        "the cluster was unreachable: evidence is stale",
        cls,
        actions.get(cls, ""),
        "",
        fingerprint(run.lab, rubric.id, cls, ""),
        (),
        ClassSource.ENGINE.value,
    )


def evaluate(
    evidence: NamespaceEvidence,
    rubrics: RubricSet,
    now: datetime,
    previous: PreviousState = NO_MEMORY,
) -> LabEvaluation:
    """Evaluate one namespace against the ordered subset of rubrics that applies to it."""
    run = _Run(evidence, now, previous)
    actions = rubrics.actions
    present = run.facts.present
    pipeline = [r for r, always, wanted in rubrics.applicability if always or present & wanted]
    if _stale(evidence):
        outcomes = tuple(_stale_outcome(run, r, actions) for r in pipeline)
        run.seen = dict(previous.seen)  # nothing was seen: what was remembered still holds
    else:
        outcomes = tuple(run.rubric(r, rubrics) for r in pipeline)
    status = worst([o.outcome for o in outcomes])
    own = [o for o, rubric in zip(outcomes, pipeline, strict=True) if not rubric.cluster_level]
    return LabEvaluation(run.lab, status, lab_class(own), outcomes, run.seen)


def lab_class(outcomes: list[RubricOutcome]) -> str:
    """The class of the worst lab-level finding (first in pipeline order among equals).
    Cluster-level conditions are shown beside it, never instead of it."""
    found = [o for o in outcomes if o.failure_class]
    if not found:
        return ""
    return max(found, key=lambda o: SEVERITY[o.outcome]).failure_class
