"""One classification answer per failure signature: cache → model → schema → gate → cache.

The later review and promotion steps build on this: a proposal is stored only from an
`accepted` outcome; a cached answer costs no model call, no budget and no breaker check.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from rubrics_app.models import LLMCall
from rubrics_app.prompts import PromptDef

from .cache import cache_store, cached_answer
from .client import llm_call
from .gate import GateVerdict, gate_check


@dataclass(frozen=True)
class ClassifyOutcome:
    answer: dict[str, Any] | None  # None: rejected by the gate, nothing to propose
    verdict: GateVerdict | None  # None for a cached answer (it passed the gate when stored)
    call: LLMCall | None  # None for a cached answer
    cached: bool

    @property
    def accepted(self) -> bool:
        return self.answer is not None


def classification_answer(
    *,
    prompt: PromptDef,
    signature: str,
    evidence: dict[str, Any],
    known_classes: Collection[str],
    action_names: Collection[str] = (),
) -> ClassifyOutcome:
    """The answer for a failure signature. Raises what `llm_call` raises (`LLMUnavailable`:
    wait and retry later; `LLMCallFailed`: recorded, no proposal)."""
    hit = cached_answer(signature=signature, prompt=prompt)
    if hit is not None:
        return ClassifyOutcome(hit, None, None, cached=True)
    values = {"evidence": evidence, "known_classes": sorted(known_classes)}
    reply = llm_call(prompt=prompt, values=values, fingerprint=signature)
    verdict = gate_check(
        prompt=prompt,
        response=reply.content,
        evidence=evidence,
        known_classes=known_classes,
        action_names=action_names,
        finish_reason=reply.finish_reason,
    )
    if not verdict.accepted or reply.parsed is None:
        return ClassifyOutcome(None, verdict, reply.call, cached=False)
    cache_store(signature=signature, prompt=prompt, answer=reply.parsed, call=reply.call)
    return ClassifyOutcome(reply.parsed, verdict, reply.call, cached=False)
