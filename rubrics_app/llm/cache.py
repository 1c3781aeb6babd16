"""The answer cache: one model call per (failure signature, prompt version, model)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
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
