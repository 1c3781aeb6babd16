"""Proposals and their review: store, accept, correct, reject; the reviewed class is confirmed.

A proposal's class goes on its verdict at once with source `llm` (unconfirmed: the remediation
gates ask for approval); accepting or correcting sets source `human` (confirmed) on every verdict
with the same failure signature, and the engine carries it scan after scan while the failure
persists and no rule classifies it. Rejecting puts the rubric's class back.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from labs.models import LabInstance
from rubrics_app.llm.gate import evidence_strings
from rubrics_app.models import ClassificationProposal, Evaluation, LLMCall
from rubrics_app.outcomes import SEVERITY, ClassSource, Outcome
from rubrics_app.registry import scan_rubrics
from stargate import realtime
from stargate.lib.redact import redact_text

from .calibration import calibration_factor

CLASS_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PROPOSALS = "proposals"


class ReviewRefused(Exception):
    """A conflicting second decision, or a class name that is not one."""


def cited_values(answer: dict[str, Any], bundle: dict[str, Any]) -> list[str]:
    """The bundle's values the answer quotes (its conditions and reasoning)."""
    text = " ".join([*answer.get("conditions", []), answer.get("reasoning", "")]).lower()
    found = [v for v in evidence_strings(bundle) if len(v.strip()) >= 3 and v.lower() in text]
    return list(dict.fromkeys(found))[:10]


@transaction.atomic
def proposal_record(
    *,
    evaluation: Evaluation,
    signature: str,
    answer: dict[str, Any],
    bundle: dict[str, Any],
    call: LLMCall | None,
    known_classes: Collection[str],
) -> ClassificationProposal:
    """Store a gate-accepted answer as a proposal; its class goes on the verdict, unconfirmed."""
    failure = bundle.get("failure", {})
    proposed = str(answer["proposed_class"])
    confidence = float(answer.get("confidence", 0.0))
    proposal, created = ClassificationProposal.objects.get_or_create(
        lab_instance=evaluation.lab_instance,
        rubric_id=evaluation.rubric_id,
        fingerprint=evaluation.fingerprint,
        defaults={
            "signature": signature,
            "criterion": str(failure.get("criterion", ""))[:100],
            "kind": str(failure.get("kind", ""))[:100],
            "reason": str(failure.get("reason", ""))[:200],
            "message": redact_text(str(failure.get("message", "")))[:2000],
            "original_class": evaluation.failure_class,
            "proposed_class": proposed,
            "novel": proposed not in known_classes,
            "conditions": [redact_text(str(c)) for c in answer.get("conditions", [])],
            "confidence": confidence,
            "adjusted_confidence": round(confidence * calibration_factor(), 4),
            "reasoning": redact_text(str(answer.get("reasoning", ""))),
            "cited_evidence": cited_values(answer, bundle),
            "bundle": bundle,
            "call": call,
            "cost_usd": call.cost_usd if call is not None else 0.0,
            "created_at": timezone.now(),
        },
    )
    if created:
        reviewed = _reviewed_for(signature)
        if reviewed is not None:  # the same failure elsewhere was reviewed: it holds here too
            _decide(
                proposal,
                reviewed.status,
                reviewed.final_class,
                reviewed.reviewer,
                f"as reviewed in proposal {reviewed.pk}",
            )
        else:
            _verdict_classify(proposal, proposed, ClassSource.LLM)
        realtime.publish_on_commit(PROPOSALS, [proposal.pk])
    return proposal


def _reviewed_for(signature: str) -> ClassificationProposal | None:
    return (
        ClassificationProposal.objects.filter(
            signature=signature,
            status__in=[
                ClassificationProposal.Status.ACCEPTED,
                ClassificationProposal.Status.CORRECTED,
            ],
        )
        .order_by("-reviewed_at")
        .first()
    )


def _verdict_classify(proposal: ClassificationProposal, cls: str, source: ClassSource) -> None:
    """Give the proposal's verdict (still the same failure) this class, and its lab the class of
    its worst lab-level verdict."""
    rubrics = scan_rubrics()
    action = rubrics.actions.get(cls, "")  # a novel class: none (its diagnostic one, if any)
    Evaluation.objects.filter(
        lab_instance_id=proposal.lab_instance_id,
        rubric_id=proposal.rubric_id,
        fingerprint=proposal.fingerprint,
    ).update(failure_class=cls, class_source=source.value, class_rule="", recommended_action=action)
    lab_class_refresh(proposal.lab_instance)


def lab_class_refresh(lab: LabInstance) -> None:
    """The lab's class from its stored verdicts, as the engine picks it (`engine.lab_class`)."""
    rubrics = scan_rubrics()
    order = {r.id: index for index, r in enumerate(rubrics.rubrics) if not r.cluster_level}
    found = [
        e
        for e in Evaluation.objects.filter(lab_instance=lab).exclude(failure_class="")
        if e.rubric_id in order
    ]
    found.sort(key=lambda e: order[e.rubric_id])
    best = max(found, key=lambda e: SEVERITY[Outcome(e.outcome)], default=None)
    cls = best.failure_class if best is not None else ""
    if lab.failure_class != cls:
        LabInstance.objects.filter(pk=lab.pk).update(failure_class=cls)
        lab.failure_class = cls
        realtime.lab_instances_changed_on_commit([lab.pk])


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
