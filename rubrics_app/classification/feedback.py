"""Response feedback (spec 17: `{llm_metric_id, endpoint, helpful, notes, submitted_by}`) and the
variant report per prompt version.

A user says whether an answer they were shown helped: one entry per user and call (a second
vote replaces the first). The calibration counts it for the call's endpoint (its prompt id);
for `classify`, the reviews of proposals are the feedback too (`calibration.feedback_counts`).
A call is one a user may rate only when it answered for one of their labs: a proposal's (or the
cached answer a proposal reused) or an investigation step's.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from labs.models import LabInstance
from rubrics_app.models import (
    ClassificationProposal,
    InvestigationStep,
    LLMCacheEntry,
    LLMCall,
    LLMFeedback,
)
from stargate.lib.redact import redact_text

VARIANT_DAYS = 7


def rateable_calls(labs: QuerySet[LabInstance]) -> QuerySet[LLMCall]:
    """The calls that answered for these labs."""
    proposals = ClassificationProposal.objects.filter(lab_instance__in=labs)
    cached = LLMCacheEntry.objects.filter(
        call_id=OuterRef("pk"),
        signature__in=proposals.values("signature"),
    )
    steps = InvestigationStep.objects.filter(call_id=OuterRef("pk"), run__lab_instance__in=labs)
    return LLMCall.objects.filter(
        Q(Exists(proposals.filter(call_id=OuterRef("pk")))) | Q(Exists(cached)) | Q(Exists(steps))
    )


def feedback_submit(*, call: LLMCall, helpful: bool, notes: str, user: User) -> LLMFeedback:
    """Record (or replace) this user's feedback on this call; the next calibration counts it."""
    feedback, _ = LLMFeedback.objects.update_or_create(
        call=call,
        submitted_by=user,
        defaults={
            "endpoint": call.prompt_id,
            "helpful": helpful,
            "notes": redact_text(notes)[:2000],
            "submitted_at": timezone.now(),
        },
    )
    return feedback


@dataclass(frozen=True)
class Variant:
    """Spec 17's variant report: one prompt version (and model) over the last days."""

    prompt_id: str
    prompt_version: str
    model: str
    calls: int
    successes: int
    mean_latency_ms: float
    p95_latency_ms: int
    mean_tokens: float
    cost_usd: float

    @property
    def success_pct(self) -> str:
        return f"{self.successes / self.calls:.0%}" if self.calls else "-"


def variant_report(now: datetime | None = None, days: int = VARIANT_DAYS) -> list[Variant]:
    """Calls, success %, mean and p95 latency, mean tokens and cost per prompt version and model
    over the last `days` (one query; percentiles in Python, as SQLite has none)."""
    since = (now or timezone.now()) - timedelta(days=days)
    rows = LLMCall.objects.filter(called_at__gte=since).values_list(
        "prompt_id", "prompt_version", "model", "outcome", "latency_ms", "total_tokens", "cost_usd"
    )
    groups: dict[tuple[str, str, str], list[tuple[str, int, int, float]]] = {}
    for prompt_id, version, model, outcome, latency, tokens, cost in rows:
        groups.setdefault((prompt_id, version, model), []).append((outcome, latency, tokens, cost))
    report = []
    for (prompt_id, version, model), calls in sorted(groups.items()):
        latencies = sorted(c[1] for c in calls)
        report.append(
            Variant(
                prompt_id,
                version,
                model,
                len(calls),
                sum(1 for c in calls if c[0] == LLMCall.Outcome.SUCCESS),
                statistics.fmean(latencies),
                latencies[max(0, int(len(latencies) * 0.95 + 0.5) - 1)],
                statistics.fmean(c[2] for c in calls),
                sum(c[3] for c in calls),
            )
        )
    return report
