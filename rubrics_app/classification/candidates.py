"""Candidates: verdicts no deterministic rule explains, classified after the scan commits.

A candidate is a FAILED verdict whose class is the rubric's default, or an UNKNOWN verdict with
evidence; never one a rule (rubric or promoted) classified, nor one a proposal or review already
classified. The scan only queues a django-q task after its commit (`candidates_queue_on_commit`,
one task per batch); the task builds each bundle, asks for the answer (cached per failure
signature) and stores a proposal from an answer the gate accepted. An LLM that is down, over
budget or disabled never reaches the scan: the task logs, and the candidates wait.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from labs.models import Status
from rubrics_app.llm.cache import cache_hits_count, cached_answers
from rubrics_app.llm.classify import classification_answer
from rubrics_app.llm.errors import LLMCallFailed, LLMDisabled, LLMUnavailable
from rubrics_app.llm.signature import failure_signature
from rubrics_app.models import ClassificationProposal, Evaluation, LLMCall
from rubrics_app.outcomes import ClassSource, Outcome
from rubrics_app.prompts import PromptDef, active_prompts
from rubrics_app.registry import scan_rubrics

from .bundle import LogTail, deciding_criterion, deciding_kind, evidence_bundle
from .calibration import calibration_factor
from .context import bundle_context
from .proposals import (
    Stored,
    batch_reviews,
    proposal_build,
    proposals_store,
    proposals_unstored,
)

if TYPE_CHECKING:
    from rubrics_app.services import LabInstanceEvaluated

logger = logging.getLogger(__name__)
TASK = "rubrics_app.classification.candidates.candidates_classify"
RETRY_AFTER = timedelta(hours=1)  # a signature the gate rejected is not asked again sooner


def classification_enabled() -> bool:
    return bool(settings.LLM_API_BASE) and bool(settings.LLM_CLASSIFY)


def candidate_verdicts() -> QuerySet[Evaluation]:
    """Every stored verdict that is a candidate, with no proposal for its failure yet."""
    unexplained = Q(outcome=Status.FAILED, class_source=ClassSource.DEFAULT) | (
        Q(outcome=Status.UNKNOWN) & ~Q(evidence_excerpt=[])
    )
    proposed = ClassificationProposal.objects.filter(
        lab_instance_id=OuterRef("lab_instance_id"),
        rubric_id=OuterRef("rubric_id"),
        fingerprint=OuterRef("fingerprint"),
    )
    return (
        Evaluation.objects.filter(unexplained, lab_instance__deleted_at__isnull=True)
        .exclude(fingerprint="")
        .exclude(Exists(proposed))
        .select_related("lab_instance__cluster", "lab_instance__lab")
        .order_by("-evaluated_at", "pk")
    )


def _is_candidate(outcome: Outcome, class_source: str, excerpt: bool) -> bool:
    if outcome is Outcome.FAILED:
        return class_source == ClassSource.DEFAULT
    return outcome is Outcome.UNKNOWN and excerpt


def candidates_queue_on_commit(done: Iterable[LabInstanceEvaluated]) -> None:
    """After the scan's commit, one task for the batch's labs with a candidate verdict."""
    if not classification_enabled():
        return
    lab_ids = sorted(
        {
            item.lab_instance.pk
            for item in done
            for o in item.result.rubrics
            if _is_candidate(o.outcome, o.class_source, any(c.evidence for c in o.criteria))
        }
    )
    if lab_ids:
        transaction.on_commit(lambda: _enqueue(lab_ids), robust=True)


def _enqueue(lab_ids: list[int]) -> None:
    from django_q.tasks import async_task

    async_task(TASK, lab_ids, task_name=f"classify {len(lab_ids)} labs"[:100])


def candidates_classify(lab_ids: list[int] | None = None, log_tail: LogTail | None = None) -> int:
    """The task: classify the candidates of these labs (all labs when None), at most
    `LLM_CLASSIFY_MAX_PER_RUN`, as one batch; returns how many proposals it stored."""
    if not classification_enabled():
        return 0
    verdicts = candidate_verdicts()
    if lab_ids is not None:
        verdicts = verdicts.filter(lab_instance_id__in=lab_ids)
    return candidates_batch(list(verdicts[: settings.LLM_CLASSIFY_MAX_PER_RUN]), log_tail)


def candidates_sweep() -> int:
    """The periodic sweep (`rubrics_app.schedules`): every candidate still without a proposal,
    newest first, whatever left it waiting (budget, breaker, a task a restarted worker lost)."""
    stored = candidates_classify(None)
    if stored:
        logger.info("classification sweep: %d proposals stored", stored)
    return stored


def candidate_signature(evaluation: Evaluation) -> str:
    criterion = deciding_criterion(evaluation)
    lab = evaluation.lab_instance
    return failure_signature(
        rubric_id=evaluation.rubric_id,
        criterion=str(criterion.get("id", "")),
        kind=deciding_kind(evaluation),
        reason=str(criterion.get("reason", "")),
        message=str(criterion.get("message") or evaluation.reason),
        evidence=evaluation.evidence_excerpt,
        lab_names=(lab.namespace, lab.guid, lab.cluster.name),
    )


def candidate_classify(evaluation: Evaluation, log_tail: LogTail | None = None) -> int:
    """One candidate: 1 when a proposal was stored, else 0."""
    return candidates_batch([evaluation], log_tail)


def candidates_batch(evaluations: list[Evaluation], log_tail: LogTail | None = None) -> int:
    """Classify these candidates in order, as one batch: what every candidate reads (the cache,
    the reviews, the stored evidence, state changes, siblings) is read once for all of them,
    one model call per failure signature not yet answered, and every proposal is written
    together (`proposals_store`). Stops asking at the first `LLMUnavailable`: the candidates
    before it are stored, the rest wait for the next run. Returns how many were stored."""
    if not evaluations:
        return 0
    if log_tail is None:
        from .logs import pod_log_tails

        log_tail = pod_log_tails
    prompt = active_prompts().get("classify")
    rubrics = scan_rubrics()
    known, actions = set(rubrics.classes), set(rubrics.actions.values())
    signatures = [candidate_signature(e) for e in evaluations]
    answers, cached_any = cached_answers(set(signatures), prompt)
    refused = _recently_asked(set(signatures) - cached_any)
    reviewed, last = batch_reviews(signatures)
    context = bundle_context((e.lab_instance for e in evaluations), reviewed=last)
    factor = calibration_factor()
    hits: dict[str, int] = {}
    stored: Stored = []
    for evaluation, signature in zip(evaluations, signatures, strict=True):
        if signature not in answers and signature in refused:
            continue  # asked within the hour and the gate refused the answer: wait
        lab = evaluation.lab_instance
        bundle = evidence_bundle(evaluation, context.evidence.get(lab.pk, {}), log_tail, context)
        call = None
        if signature in answers:
            hits[signature] = hits.get(signature, 0) + 1
        else:
            try:
                outcome = classification_answer(
                    prompt=prompt,
                    signature=signature,
                    evidence=bundle,
                    known_classes=known,
                    action_names=actions,
                )
            except (LLMUnavailable, LLMDisabled) as exc:
                logger.info("classification waits: %s", exc)
                break
            except LLMCallFailed as exc:
                logger.info("no proposal for evaluation %s: %s", evaluation.pk, exc)
                refused |= _recently_asked({signature})
                continue
            if outcome.answer is None:
                refused.add(signature)
                continue
            answers[signature], call = outcome.answer, outcome.call  # a cached one: counted
        proposal = proposal_build(
            evaluation=evaluation,
            signature=signature,
            answer=answers[signature],
            bundle=bundle,
            call=call,
            known_classes=known,
            factor=factor,
            reviewed=reviewed.get(signature),
        )
        if proposal.status != ClassificationProposal.Status.PROPOSED:
            context.reviewed_add(proposal.__dict__)
        stored.append((evaluation.pk, proposal))
    return _write(stored, hits, prompt)


def _write(stored: Stored, hits: dict[str, int], prompt: PromptDef) -> int:
    """The batch's writes in one transaction (one commit). Another worker that stored one of
    these failures meanwhile makes it fail: the rest is stored."""
    try:
        with transaction.atomic():
            cache_hits_count(hits, prompt)
            return proposals_store(stored)
    except IntegrityError:
        with transaction.atomic():
            cache_hits_count(hits, prompt)
            return proposals_store(proposals_unstored(stored))


def _recently_asked(signatures: set[str]) -> set[str]:
    """The signatures asked within the hour whose answer the gate refused (or that did not
    parse): not asked again sooner."""
    if not signatures:
        return set()
    recent = timezone.now() - RETRY_AFTER
    return set(
        LLMCall.objects.filter(
            fingerprint__in=signatures,
            called_at__gte=recent,
            outcome__in=[LLMCall.Outcome.SUCCESS, LLMCall.Outcome.PARSE_ERROR],
        ).values_list("fingerprint", flat=True)
    )
