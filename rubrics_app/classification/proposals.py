"""Proposals and their review: store, accept, correct, reject; the reviewed class is confirmed.

A proposal's class goes on its verdict at once with source `llm` (unconfirmed: the remediation
gates ask for approval); accepting or correcting sets source `human` (confirmed) on every verdict
with the same failure signature, and the engine carries it scan after scan while the failure
persists and no rule classifies it. Rejecting puts the rubric's class back.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import BooleanField, Case, F, Q, Subquery, Value, When
from django.utils import timezone

from labs.models import LabInstance
from rubrics_app.llm.gate import evidence_strings
from rubrics_app.models import ClassificationProposal, Evaluation, LLMCall
from rubrics_app.outcomes import SEVERITY, ClassSource, Outcome
from rubrics_app.registry import scan_rubrics
from stargate import realtime
from stargate.lib.redact import redact_text

from .bundle import REVIEWED_FIELDS, REVIEWED_SCANNED

CLASS_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PROPOSALS = "proposals"


class ReviewRefused(Exception):
    """A conflicting second decision, or a class name that is not one."""


def cited_values(answer: dict[str, Any], bundle: dict[str, Any]) -> list[str]:
    """The bundle's values the answer quotes (its conditions and reasoning)."""
    text = " ".join([*answer.get("conditions", []), answer.get("reasoning", "")]).lower()
    found = [v for v in evidence_strings(bundle) if len(v.strip()) >= 3 and v.lower() in text]
    return list(dict.fromkeys(found))[:10]


def batch_reviews(
    signatures: Collection[str],
) -> tuple[dict[str, ClassificationProposal], list[dict[str, Any]]]:
    """For a batch, in one query: signature → its latest accepted or corrected proposal, and the
    last reviewed proposals as `bundle.similar_reviewed` reads them (`bundle.last_reviewed`)."""
    status = ClassificationProposal.Status
    decided = [status.ACCEPTED, status.CORRECTED]
    reviewed = ClassificationProposal.objects.exclude(status=status.PROPOSED)
    recent = reviewed.order_by("-created_at", "-pk").values("pk")[:REVIEWED_SCANNED]
    wanted = set(signatures)
    accepted = Q(signature__in=wanted, status__in=decided)
    rows = list(
        reviewed.filter(accepted | Q(pk__in=Subquery(recent)))
        .annotate(
            in_recent=Case(
                When(pk__in=Subquery(recent), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related("reviewer")
        .order_by("-created_at", "-pk")
    )
    latest: dict[str, ClassificationProposal] = {}
    for proposal in sorted(rows, key=_review_order):
        if proposal.signature in wanted and proposal.status in decided:
            latest[proposal.signature] = proposal
    last = [{k: getattr(p, k) for k in REVIEWED_FIELDS} for p in rows if p.in_recent]
    return latest, last


def _review_order(proposal: ClassificationProposal) -> tuple[bool, datetime, int]:
    """Oldest review first, unreviewed last (as PostgreSQL sorts NULLs ascending)."""
    at = proposal.reviewed_at
    return (at is None, at or datetime.min.replace(tzinfo=UTC), proposal.pk)


def proposal_build(
    *,
    evaluation: Evaluation,
    signature: str,
    answer: dict[str, Any],
    bundle: dict[str, Any],
    call: LLMCall | None,
    known_classes: Collection[str],
    factor: float,
    reviewed: ClassificationProposal | None,
) -> ClassificationProposal:
    """A gate-accepted answer as an unsaved proposal; when the same failure elsewhere was
    reviewed, the review holds here too (`proposals_store` writes it)."""
    failure = bundle.get("failure", {})
    proposed = str(answer["proposed_class"])
    confidence = float(answer.get("confidence", 0.0))
    proposal = ClassificationProposal(
        lab_instance=evaluation.lab_instance,
        rubric_id=evaluation.rubric_id,
        fingerprint=evaluation.fingerprint,
        signature=signature,
        criterion=str(failure.get("criterion", ""))[:100],
        kind=str(failure.get("kind", ""))[:100],
        reason=str(failure.get("reason", ""))[:200],
        message=redact_text(str(failure.get("message", "")))[:2000],
        original_class=evaluation.failure_class,
        proposed_class=proposed,
        novel=proposed not in known_classes,
        conditions=[redact_text(str(c)) for c in answer.get("conditions", [])],
        confidence=confidence,
        adjusted_confidence=round(confidence * factor, 4),
        reasoning=redact_text(str(answer.get("reasoning", ""))),
        cited_evidence=cited_values(answer, bundle),
        bundle=bundle,
        call=call,
        cost_usd=call.cost_usd if call is not None else 0.0,
        created_at=timezone.now(),
    )
    if reviewed is not None:
        proposal.status = reviewed.status
        proposal.final_class = reviewed.final_class
        proposal.reviewer = reviewed.reviewer
        proposal.review_reason = f"as reviewed in proposal {reviewed.pk}"
        proposal.reviewed_at = proposal.created_at
    return proposal


Stored = list[tuple[int, ClassificationProposal]]  # (its verdict's pk, the proposal)


def proposals_store(pairs: Stored) -> int:
    """Write a batch's proposals in a few statements, whatever their number: the proposals, their
    verdicts' classes (source `llm`, or the review's), the labs' classes, the calls' adjusted
    confidence, and one refresh of the review page. Call inside a transaction; an
    `IntegrityError` (another worker stored one of these failures meanwhile) undoes it all: then
    store `proposals_unstored(pairs)`. Returns how many were stored."""
    if not pairs:
        return 0
    ClassificationProposal.objects.bulk_create([p for _, p in pairs])
    _verdicts_classify(pairs)
    for _, proposal in pairs:
        if proposal.call is not None:
            LLMCall.objects.filter(pk=proposal.call.pk).update(
                adjusted_confidence=proposal.adjusted_confidence
            )
    labs_class_refresh([p.lab_instance for _, p in pairs])
    realtime.publish_on_commit(PROPOSALS, [p.pk for _, p in pairs])
    return len(pairs)


def proposals_unstored(pairs: Stored) -> Stored:
    """The pairs whose failure has no proposal yet (after an `IntegrityError`)."""
    existing = set(
        ClassificationProposal.objects.filter(
            lab_instance_id__in={p.lab_instance_id for _, p in pairs}
        ).values_list("lab_instance_id", "rubric_id", "fingerprint")
    )
    left = [
        (pk, p)
        for pk, p in pairs
        if (p.lab_instance_id, p.rubric_id, p.fingerprint) not in existing
    ]
    for _, proposal in left:
        proposal.pk = None
    return left


def _verdicts_classify(pairs: Stored) -> None:
    """Give the proposals' verdicts (still the same failures) their class: the proposed one with
    source `llm`, or the review's with source `human` (one statement)."""
    actions = scan_rubrics().actions
    classes, sources, action = [], [], []
    for pk, p in pairs:
        reviewed = p.status != ClassificationProposal.Status.PROPOSED
        cls = p.final_class if reviewed else p.proposed_class
        classes.append(When(pk=pk, then=Value(cls)))
        source = ClassSource.HUMAN if reviewed else ClassSource.LLM
        sources.append(When(pk=pk, then=Value(source.value)))
        # a novel class: none (its diagnostic one, once promoted)
        action.append(When(pk=pk, then=Value(actions.get(cls, ""))))
    Evaluation.objects.filter(
        pk__in=[pk for pk, _ in pairs], fingerprint__in={p.fingerprint for _, p in pairs}
    ).update(
        failure_class=Case(*classes, default=F("failure_class")),
        class_source=Case(*sources, default=F("class_source")),
        class_rule="",
        recommended_action=Case(*action, default=F("recommended_action")),
    )


def _verdict_classify(proposal: ClassificationProposal, cls: str, source: ClassSource) -> None:
    """Give the proposal's verdict (still the same failure) this class, and its lab the class of
    its worst lab-level verdict."""
    action = scan_rubrics().actions.get(cls, "")  # a novel class: none (its diagnostic one)
    Evaluation.objects.filter(
        lab_instance_id=proposal.lab_instance_id,
        rubric_id=proposal.rubric_id,
        fingerprint=proposal.fingerprint,
    ).update(failure_class=cls, class_source=source.value, class_rule="", recommended_action=action)
    lab_class_refresh(proposal.lab_instance)


def lab_class_refresh(lab: LabInstance) -> None:
    """The lab's class from its stored verdicts, as the engine picks it (`engine.lab_class`)."""
    labs_class_refresh([lab])


def labs_class_refresh(labs: Collection[LabInstance]) -> None:
    """`lab_class_refresh` for many labs: one read, one update per class that changed."""
    labs = list({lab.pk: lab for lab in labs}.values())
    rubrics = scan_rubrics()
    order = {r.id: index for index, r in enumerate(rubrics.rubrics) if not r.cluster_level}
    found: dict[int, list[Evaluation]] = {}
    rows = Evaluation.objects.filter(lab_instance_id__in=[lab.pk for lab in labs]).exclude(
        failure_class=""
    )
    for e in rows.only("lab_instance_id", "rubric_id", "outcome", "failure_class"):
        if e.rubric_id in order:
            found.setdefault(e.lab_instance_id, []).append(e)
    changed: dict[str, list[LabInstance]] = {}
    for lab in labs:
        verdicts = sorted(found.get(lab.pk, []), key=lambda e: order[e.rubric_id])
        best = max(verdicts, key=lambda e: SEVERITY[Outcome(e.outcome)], default=None)
        cls = best.failure_class if best is not None else ""
        if lab.failure_class != cls:
            changed.setdefault(cls, []).append(lab)
    for cls, group in changed.items():
        LabInstance.objects.filter(pk__in=[lab.pk for lab in group]).update(failure_class=cls)
        for lab in group:
            lab.failure_class = cls
    if changed:
        realtime.lab_instances_changed_on_commit([lab.pk for g in changed.values() for lab in g])


def _decide(
    proposal: ClassificationProposal,
    status: str,
    final_class: str,
    reviewer: User | None,
    reason: str,
) -> None:
    proposal.status = status
    proposal.final_class = final_class
    proposal.reviewer = reviewer
    proposal.review_reason = reason[:1000]
    proposal.reviewed_at = timezone.now()
    proposal.save(
        update_fields=["status", "final_class", "reviewer", "review_reason", "reviewed_at"]
    )
    if status == ClassificationProposal.Status.REJECTED:
        _verdict_classify(proposal, proposal.original_class, ClassSource.DEFAULT)
    else:
        _verdict_classify(proposal, final_class, ClassSource.HUMAN)


def _review(
    proposal: ClassificationProposal, status: str, final_class: str, reviewer: User, reason: str
) -> ClassificationProposal:
    """One decision per failure signature: repeating it is a no-op, a conflicting one refused."""
    if not reason.strip():
        raise ReviewRefused("a decision needs a reason")
    with transaction.atomic():
        current = ClassificationProposal.objects.select_for_update().get(pk=proposal.pk)
        if current.status != ClassificationProposal.Status.PROPOSED:
            if current.status == status and current.final_class == final_class:
                return current
            raise ReviewRefused(f"already {current.status}: nothing changed")
        same = ClassificationProposal.objects.filter(
            signature=current.signature, status=ClassificationProposal.Status.PROPOSED
        ).select_related("lab_instance")
        decided = [current, *[p for p in same if p.pk != current.pk]]
        for item in decided:
            _decide(item, status, final_class, reviewer, reason)
        realtime.publish_on_commit(PROPOSALS, [p.pk for p in decided])
    return current


def proposal_accept(
    *, proposal: ClassificationProposal, reviewer: User, reason: str
) -> ClassificationProposal:
    status = ClassificationProposal.Status.ACCEPTED
    return _review(proposal, status, proposal.proposed_class, reviewer, reason)


def proposal_correct(
    *, proposal: ClassificationProposal, reviewer: User, failure_class: str, reason: str
) -> ClassificationProposal:
    """The reviewer's class instead: a known one, or a new name (novel: diagnostic only)."""
    cls = failure_class.strip().lower().replace("_", "-")
    if not CLASS_NAME.match(cls):
        raise ReviewRefused(f"{failure_class!r} is not a class name (lower-case-words)")
    return _review(proposal, ClassificationProposal.Status.CORRECTED, cls, reviewer, reason)


def proposal_reject(
    *, proposal: ClassificationProposal, reviewer: User, reason: str
) -> ClassificationProposal:
    return _review(proposal, ClassificationProposal.Status.REJECTED, "", reviewer, reason)
