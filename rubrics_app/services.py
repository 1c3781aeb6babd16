"""Recording rubric verdicts: Evaluations upserted, StateChanges on change only, the lab's status.

The scanner calls `lab_instance_evaluate` once per namespace per scan, or `lab_instances_evaluate`
for a whole batch: a batch costs a handful of queries whatever its size.

Every lab is evaluated on every call (the clock matters: a PROGRESSING verdict turns FAILED when its
grace window ends, with no change in the evidence), but only what changed is written: a verdict
identical to the stored one only has its `evaluated_at` moved, with one UPDATE for the batch, and
a lab whose status and class held only its `last_evaluated_at`. In a steady scan, where almost
nothing changes, the batch's writes are two small UPDATEs instead of upserting every row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import JSONField, Q

from labs.models import Lab, LabInstance, Status
from stargate import realtime
from stargate.lib.evidence import NamespaceEvidence
from stargate.lib.sqlbulk import json_text, rows_insert, rows_upsert

from .classification.candidates import candidates_queue_on_commit
from .engine import evaluate
from .investigation.triggers import attention_queue_on_commit
from .memory import memory_from_json, memory_to_json, with_carried_classes
from .models import Evaluation, StateChange
from .outcomes import LabEvaluation, RubricOutcome
from .registry import scan_rubrics

LAB_FIELDS = ["status", "failure_class", "status_changed_at", "last_evaluated_at"]
EVALUATION_FIELDS = [
    "rubric_version",
    "outcome",
    "failure_class",
    "recommended_action",
    "reason",
    "object_ref",
    "fingerprint",
    "criteria",
    "evidence_excerpt",
    "progress_memory",
    "outcome_since",
    "evaluated_at",
    "class_source",
    "class_rule",
]


@dataclass(frozen=True)
class LabInstanceEvaluated:
    """What one evaluation did: the engine's verdict and whether the lab's status changed."""

    lab_instance: LabInstance
    result: LabEvaluation
    status_changed: bool
    state_changes: int


def lab_instance_evaluate(
    *, lab_instance: LabInstance, evidence: NamespaceEvidence, now: datetime
) -> LabInstanceEvaluated:
    """Evaluate one namespace's evidence against the loaded rubric set and record it."""
    return lab_instances_evaluate(items=[(lab_instance, evidence)], now=now)[0]


@transaction.atomic
def lab_instances_evaluate(
    *, items: Iterable[tuple[LabInstance, NamespaceEvidence]], now: datetime
) -> list[LabInstanceEvaluated]:
    """The batch form: about five queries for the whole batch (read, upsert, prune, log, labs)."""
    # One row per lab and rubric can be upserted once per statement: the last evidence wins.
    pairs = list({lab.pk: (lab, evidence) for lab, evidence in items}.values())
    _attach_catalog_entries([lab for lab, _ in pairs])
    stored = _stored_evaluations([lab.pk for lab, _ in pairs])
    rubrics = scan_rubrics()
    writes = _Writes()
    done: list[LabInstanceEvaluated] = []
    for lab_instance, evidence in pairs:
        previous = stored.get(lab_instance.pk, {})
        evidence = _with_lab_context(lab_instance, evidence)
        memory = memory_from_json(e.progress_memory for e in previous.values())
        memory = with_carried_classes(memory, (s.carried(r) for r, s in previous.items()))
        result = evaluate(evidence, rubrics, now, memory)
        for outcome in result.rubrics:
            before = previous.get(outcome.rubric_id)
            verdict = _verdict(outcome, before, result, now)
            if before is not None and before.verdict == verdict:
                writes.evaluations_touched.append(before.pk)
            else:
                writes.evaluations.append(_evaluation(lab_instance, outcome, verdict, now))
        new = _rubric_changes(lab_instance, result, previous, now)
        old_class = lab_instance.failure_class
        changed = _apply_lab_status(lab_instance, result, now)
        if changed:
            new.append(_lab_change(lab_instance, result, changed, now))
        if changed or old_class != lab_instance.failure_class:
            writes.labs.append(lab_instance)
        else:
            writes.labs_touched.append(lab_instance.pk)
        writes.changes.extend(new)
        done.append(LabInstanceEvaluated(lab_instance, result, bool(changed), len(new)))
    _write(writes, now, done, stored)
    return done


@dataclass
class _Writes:
    """A batch's writes: rows that changed, and the ids of those whose verdict only aged."""

    evaluations: list[Evaluation] = field(default_factory=list)
    evaluations_touched: list[int] = field(default_factory=list)
    changes: list[StateChange] = field(default_factory=list)
    labs: list[LabInstance] = field(default_factory=list)
    labs_touched: list[int] = field(default_factory=list)


# A verdict: every stored field of an Evaluation but when it was evaluated; equal verdicts need
# no write but that time.
_VERDICT_FIELDS = [f for f in EVALUATION_FIELDS if f != "evaluated_at"]
Verdict = tuple[Any, ...]  # the values of _VERDICT_FIELDS, in that order


class _Stored(NamedTuple):
    """A stored Evaluation, read as plain values (model instances cost more than the scan)."""

    pk: int
    verdict: Verdict

    @property
    def outcome(self) -> str:
        return str(self.verdict[_OUTCOME])

    @property
    def progress_memory(self) -> dict[str, Any]:
        memory: dict[str, Any] = self.verdict[_MEMORY]
        return memory

    @property
    def outcome_since(self) -> datetime | None:
        since: datetime | None = self.verdict[_SINCE]
        return since

    def carried(self, rubric_id: str) -> tuple[str, str, str, str]:
        """(rubric, fingerprint, class, class source): what a proposal or review may carry."""
        verdict = self.verdict
        return (rubric_id, verdict[_PRINT], verdict[_CLASS], verdict[_SOURCE])


_OUTCOME = _VERDICT_FIELDS.index("outcome")
_MEMORY = _VERDICT_FIELDS.index("progress_memory")
_SINCE = _VERDICT_FIELDS.index("outcome_since")
_PRINT = _VERDICT_FIELDS.index("fingerprint")
_CLASS = _VERDICT_FIELDS.index("failure_class")
_SOURCE = _VERDICT_FIELDS.index("class_source")


def _stored_evaluations(lab_ids: list[int]) -> dict[int, dict[str, _Stored]]:
    stored: dict[int, dict[str, _Stored]] = {}
    rows = Evaluation.objects.filter(lab_instance_id__in=lab_ids).values_list(
        "pk", "lab_instance_id", "rubric_id", *_VERDICT_FIELDS
    )
    for pk, lab_id, rubric_id, *verdict in rows:
        stored.setdefault(lab_id, {})[rubric_id] = _Stored(pk, tuple(verdict))
    return stored


def _attach_catalog_entries(lab_instances: list[LabInstance]) -> None:
    """One query for the catalog entries the batch's evidence needs, not one per lab."""
    missing = [i for i in lab_instances if not LabInstance.lab.is_cached(i)]
    if missing:
        labs = Lab.objects.in_bulk({i.lab_id for i in missing})
        for lab_instance in missing:
            lab_instance.lab = labs[lab_instance.lab_id]


def _with_lab_context(lab_instance: LabInstance, evidence: NamespaceEvidence) -> NamespaceEvidence:
    """The catalog's word on the guest agent, unless the scanner already put it in the evidence."""
    lab = evidence.get("lab") or {}
    if "requires_guest_agent" in lab:
        return evidence
    catalog = lab_instance.lab
    context = {**lab, "catalog_item": catalog.catalog_item}
    context["requires_guest_agent"] = catalog.requires_guest_agent
    return NamespaceEvidence(**{**evidence, "lab": context})  # type: ignore[typeddict-item]


def _verdict(
    outcome: RubricOutcome, previous: _Stored | None, result: LabEvaluation, now: datetime
) -> Verdict:
    unchanged = previous is not None and previous.outcome == outcome.outcome.value
    return (  # in _VERDICT_FIELDS order
        outcome.version,
        outcome.outcome.value,
        outcome.failure_class,
        outcome.action,
        outcome.reason,
        outcome.object_ref[:300],
        outcome.fingerprint,
        [c.as_json() for c in outcome.criteria],
        outcome.evidence_excerpt(),
        memory_to_json(result.seen, outcome.rubric_id),
        previous.outcome_since if unchanged and previous else now,
        outcome.class_source,
        outcome.class_rule,
    )


def _evaluation(
    lab_instance: LabInstance, outcome: RubricOutcome, verdict: Verdict, now: datetime
) -> Evaluation:
    fields = dict(zip(_VERDICT_FIELDS, verdict, strict=True))
    for name in _JSON_FIELDS:
        fields[name] = json_text(fields[name])  # serialized by orjson, copied as is
    return Evaluation(
        lab_instance=lab_instance, rubric_id=outcome.rubric_id, evaluated_at=now, **fields
    )


_JSON_FIELDS = [
    f.name
    for f in Evaluation._meta.concrete_fields
    if isinstance(f, JSONField) and f.name in _VERDICT_FIELDS
]


def _rubric_changes(
    lab_instance: LabInstance,
    result: LabEvaluation,
    previous: dict[str, _Stored],
    now: datetime,
) -> list[StateChange]:
    changes = []
    for outcome in result.rubrics:
        before = previous.get(outcome.rubric_id)
        from_status = before.outcome if before else ""
        if from_status != outcome.outcome.value:
            changes.append(
                StateChange(
                    lab_instance=lab_instance,
                    rubric_id=outcome.rubric_id,
                    from_status=from_status,
                    to_status=outcome.outcome.value,
                    failure_class=outcome.failure_class,
                    reason=outcome.reason,
                    at=now,
                )
            )
    return changes


def _apply_lab_status(lab_instance: LabInstance, result: LabEvaluation, now: datetime) -> str:
    """Set the lab's status fields; returns the old status when it changed, else ""."""
    old = lab_instance.status
    lab_instance.failure_class = result.failure_class
    lab_instance.last_evaluated_at = now
    if old == result.status.value:
        return ""
    lab_instance.status = Status(result.status.value)
    lab_instance.status_changed_at = now
    return old or Status.UNKNOWN


def _lab_change(
    lab_instance: LabInstance, result: LabEvaluation, old: str, now: datetime
) -> StateChange:
    worst = next((o for o in result.rubrics if o.outcome == result.status), None)
    return StateChange(
        lab_instance=lab_instance,
        rubric_id="",
        from_status=old,
        to_status=result.status.value,
        failure_class=result.failure_class,
        reason=f"{worst.rubric_id}: {worst.reason}" if worst else "",
        at=now,
    )


def _write(
    writes: _Writes,
    now: datetime,
    done: list[LabInstanceEvaluated],
    stored: dict[int, dict[str, _Stored]],
) -> None:
    if writes.evaluations:
        rows_upsert(  # by COPY (see there): a first scan inserts thousands of verdicts
            Evaluation,
            writes.evaluations,
            unique_fields=["lab_instance", "rubric_id"],
            update_fields=EVALUATION_FIELDS,
        )
    if writes.evaluations_touched:
        Evaluation.objects.filter(pk__in=writes.evaluations_touched).update(evaluated_at=now)
    _prune(done, stored)
    if writes.changes:
        rows_insert(StateChange, writes.changes)
    if writes.labs:
        LabInstance.objects.bulk_update(writes.labs, LAB_FIELDS)
    if writes.labs_touched:
        LabInstance.objects.filter(pk__in=writes.labs_touched).update(last_evaluated_at=now)
    changed = [item.lab_instance.pk for item in done if item.status_changed]
    if changed:
        realtime.lab_instances_changed_on_commit(changed)
    candidates_queue_on_commit(done)  # classified after the commit, never inside the scan
    attention_queue_on_commit(writes.changes)  # the attention gate, after the commit too


def _prune(done: list[LabInstanceEvaluated], stored: dict[int, dict[str, _Stored]]) -> None:
    """Rubrics that stopped applying (the VMs were deleted) leave no stale verdict behind."""
    gone = Q()
    for item in done:
        current = {o.rubric_id for o in item.result.rubrics}
        if set(stored.get(item.lab_instance.pk, {})) - current:
            gone |= Q(lab_instance=item.lab_instance) & ~Q(rubric_id__in=current)
    if gone:
        Evaluation.objects.filter(gone).delete()


class ProposalReviewRefused(Exception):
    """A conflicting second decision (409), or a class name that is not one."""

    def __init__(self, message: str, *, conflict: bool) -> None:
        super().__init__(message)
        self.conflict = conflict


def proposal_review(
    *, proposal: Any, decision: str, reviewer: Any, reason: str, failure_class: str = ""
) -> Any:
    """Accept, correct (to `failure_class`) or reject a classification proposal, as the review
    page does: one decision per failure signature, repeating it a no-op, a conflicting one refused
    (`ProposalReviewRefused.conflict`), a reason always required."""
    from .classification import proposals as review
    from .models import ClassificationProposal

    try:
        if decision == "accept":
            return review.proposal_accept(proposal=proposal, reviewer=reviewer, reason=reason)
        if decision == "correct":
            return review.proposal_correct(
                proposal=proposal, reviewer=reviewer, failure_class=failure_class, reason=reason
            )
        if decision == "reject":
            return review.proposal_reject(proposal=proposal, reviewer=reviewer, reason=reason)
    except review.ReviewRefused as exc:
        decided = (
            ClassificationProposal.objects.filter(pk=proposal.pk)
            .exclude(status=ClassificationProposal.Status.PROPOSED)
            .exists()
        )
        raise ProposalReviewRefused(str(exc), conflict=decided) from exc
    raise ProposalReviewRefused("the decision must be accept, correct or reject", conflict=False)
