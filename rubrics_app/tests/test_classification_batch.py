"""A run's candidates are one batch: what they read is read once, one model call per failure
signature, every write in one transaction, one live refresh for the run, whatever its size."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from labs.models import LabInstance
from rubrics_app.classification.bundle import last_reviewed
from rubrics_app.classification.candidates import candidate_verdicts, candidates_batch
from rubrics_app.classification.proposals import batch_reviews
from rubrics_app.models import ClassificationProposal, LLMCacheEntry, LLMCall

from .classification_fixtures import scan, unexplained

pytestmark = pytest.mark.django_db


def _labs(lab_instance: LabInstance, n: int, start: int = 0) -> list[LabInstance]:
    labs = []
    for i in range(start, start + n):
        lab = LabInstance.objects.create(
            cluster=lab_instance.cluster, namespace=f"sandbox-b{i}-lab", lab=lab_instance.lab
        )
        reason = "KeyringLocked" if i % 2 else "LicenseExpired"
        scan(lab, unexplained(message=f"stopped in sandbox-b{i}-lab: {reason}", reason=reason))
        labs.append(lab)
    return labs


def _batch(labs: list[LabInstance]) -> tuple[int, int]:
    verdicts = list(candidate_verdicts().filter(lab_instance__in=labs))
    with CaptureQueriesContext(connection) as queries:
        stored = candidates_batch(verdicts, lambda *_: {})
    return stored, len(queries)


def test_the_statements_of_a_batch_do_not_grow_with_its_candidates(
    lab_instance: Any, llm: Any, settings: Any
) -> None:
    settings.LLM_CLASSIFY_MAX_PER_RUN = 100
    first = _labs(lab_instance, 2)
    assert _batch(first)[0] == 2
    assert len(llm.requests) == 2  # two failure signatures: one model call each
    small, large = _labs(lab_instance, 2, start=10), _labs(lab_instance, 12, start=20)
    stored_small, statements_small = _batch(small)
    stored_large, statements_large = _batch(large)
    assert (stored_small, stored_large) == (2, 12)
    assert len(llm.requests) == 2  # every later candidate from the cache
    # The collectors' sections are 5 batch queries (`collected_sections_many`; a 6th, the found
    # pools' history, only when a pool is found: none here); each lab's own evidence is read with
    # its siblings, and the reviews with the last reviewed proposals (`batch_reviews`).
    # 17: these labs have no pool, so the lab mappings' pool patterns are read once per batch
    assert statements_large == statements_small <= 17
    assert sum(LLMCacheEntry.objects.values_list("hits", flat=True)) == 14
    assert ClassificationProposal.objects.count() == 16


def test_one_live_refresh_per_run(
    lab_instance: Any, llm: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.LLM_CLASSIFY_MAX_PER_RUN = 100
    labs = _labs(lab_instance, 6)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert _batch(labs)[0] == 6
    # One refresh of the review page (topic `proposals`) and, if a lab's class changed, one of
    # the labs (topic `labs`): not one per proposal (six before).
    assert 1 <= len(callbacks) <= 2


def test_a_failure_another_worker_stored_meanwhile_is_skipped(lab_instance: Any, llm: Any) -> None:
    labs = _labs(lab_instance, 3)
    verdicts = list(candidate_verdicts().filter(lab_instance__in=labs))
    assert candidates_batch(verdicts[:1], lambda *_: {}) == 1  # "the other worker"
    assert candidates_batch(verdicts, lambda *_: {}) == 2  # its own list, read before
    assert ClassificationProposal.objects.count() == 3
    assert LLMCall.objects.filter(adjusted_confidence__isnull=False).count() == 2


def test_a_batch_reads_its_reviews_and_the_last_reviewed_in_one_query(
    lab_instance: Any, llm: Any
) -> None:
    labs = _labs(lab_instance, 4)  # labs 0 and 2 share a failure signature, 1 and 3 another
    assert _batch(labs)[0] == 4
    mine = {p.lab_instance_id: p for p in ClassificationProposal.objects.all()}
    first, second, third = (mine[labs[i].pk] for i in (0, 1, 2))
    status, now = ClassificationProposal.Status, timezone.now()
    for proposal, decided, at in (
        (first, status.ACCEPTED, now - timedelta(hours=1)),
        (second, status.REJECTED, now),
        (third, status.CORRECTED, now),
    ):
        ClassificationProposal.objects.filter(pk=proposal.pk).update(status=decided, reviewed_at=at)
    with CaptureQueriesContext(connection) as queries:
        latest, last = batch_reviews([first.signature, second.signature, "another"])
    assert len(queries) == 1
    assert {sig: p.pk for sig, p in latest.items()} == {first.signature: third.pk}
    assert last == last_reviewed() and len(last) == 3
