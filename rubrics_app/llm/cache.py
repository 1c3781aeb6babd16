"""The answer cache: one model call per (failure signature, prompt version, model)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from rubrics_app.models import LLMCacheEntry, LLMCall
from rubrics_app.prompts import PromptDef


def _key(signature: str, prompt: PromptDef) -> dict[str, str]:
    return {
        "signature": signature,
        "prompt_id": prompt.id,
        "prompt_version": prompt.version,
        "model": prompt.model or settings.LLM_MODEL,
    }


def cached_answer(*, signature: str, prompt: PromptDef) -> dict[str, Any] | None:
    """The stored answer for this failure signature, prompt version and model, counting the hit."""
    entry = LLMCacheEntry.objects.filter(**_key(signature, prompt)).first()
    if entry is None:
        return None
    LLMCacheEntry.objects.filter(pk=entry.pk).update(hits=F("hits") + 1)
    answer: dict[str, Any] = entry.answer
    return answer


def cached_answers(
    signatures: set[str], prompt: PromptDef
) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """For a batch, in one query: (signature → its answer for this prompt version and model,
    the signatures with an answer for any prompt version or model). Hits are counted apart
    (`cache_hits_count`)."""
    key = _key("", prompt)
    answers: dict[str, dict[str, Any]] = {}
    cached: set[str] = set()
    rows = LLMCacheEntry.objects.filter(signature__in=signatures).values_list(
        "signature", "prompt_id", "prompt_version", "model", "answer"
    )
    for signature, prompt_id, version, model, answer in rows:
        cached.add(signature)
        if (prompt_id, version, model) == (key["prompt_id"], key["prompt_version"], key["model"]):
            answers[signature] = answer
    return answers, cached


def cache_hits_count(hits: dict[str, int], prompt: PromptDef) -> None:
    """Count a batch's hits (signature → answers served from the cache) in one statement."""
    if not hits:
        return
    key = {k: v for k, v in _key("", prompt).items() if k != "signature"}
    added = Case(*(When(signature=s, then=Value(n)) for s, n in hits.items()), default=Value(0))
    LLMCacheEntry.objects.filter(signature__in=list(hits), **key).update(hits=F("hits") + added)


def cache_store(
    *, signature: str, prompt: PromptDef, answer: dict[str, Any], call: LLMCall | None
) -> LLMCacheEntry:
    """Keep a validated, gate-accepted answer; the first one stored for a key wins."""
    key = _key(signature, prompt)
    try:
        with transaction.atomic():
            return LLMCacheEntry.objects.create(
                **key, answer=answer, call=call, created_at=timezone.now()
            )
    except IntegrityError:  # another worker stored it first
        return LLMCacheEntry.objects.get(**key)
