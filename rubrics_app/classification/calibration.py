"""Feedback and calibration (spec 17): how often humans accept the model's classes, per class and
per confidence bucket; the calibration factor applied to each new proposal's confidence; drift
week over week; and why candidates wait. Read by the AI page (`/rubrics/ai/`).

Every minute (`calibration-receipts`, a django-q2 schedule) `calibration_compute` counts each
endpoint's response feedback (for `classify`: the reviewed proposals, accepted ones helpful,
plus any `LLMFeedback`) and saves a `CalibrationReceipt`: `factor = helpful / total` once there
are `LLM_CALIBRATION_MIN_FEEDBACK` (10) entries, else 1.0. Every worker reads the latest
receipt's factor; `adjusted_confidence = confidence x factor` is stored on each proposal and its
call record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Floor, Least
from django.utils import timezone

from rubrics_app.llm.budget import BREAKER
from rubrics_app.models import (
    CalibrationReceipt,
    ClassificationProposal,
    LLMBreaker,
    LLMCall,
    LLMFeedback,
)

CLASSIFY = "classify"  # the endpoint whose feedback includes the reviews
RECEIPTS_SHOWN = 20
BUCKETS = 10
ERROR_OUTCOMES = [o for o in LLMCall.Outcome.values if o != LLMCall.Outcome.SUCCESS]
Status = ClassificationProposal.Status


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _reviewed(proposals: QuerySet[ClassificationProposal]) -> QuerySet[ClassificationProposal]:
    return proposals.exclude(status=Status.PROPOSED)


def feedback_window_start(now: datetime) -> datetime | None:
    days = settings.LLM_CALIBRATION_WINDOW_DAYS
    return now - timedelta(days=days) if days else None


def feedback_counts(since: datetime | None) -> dict[str, tuple[int, int]]:
    """Endpoint → (helpful, total) since `since` (None: all), in two queries: the reviews of
    proposals (the `classify` endpoint's feedback) and the `LLMFeedback` rows."""
    reviews = _reviewed(ClassificationProposal.objects.all())
    feedback = LLMFeedback.objects.all()
    if since is not None:
        reviews = reviews.filter(reviewed_at__gte=since)
        feedback = feedback.filter(submitted_at__gte=since)
    counts = reviews.aggregate(
        total=Count("pk"), helpful=Count("pk", filter=Q(status=Status.ACCEPTED))
    )
    found = {CLASSIFY: (int(counts["helpful"]), int(counts["total"]))}
    rows = feedback.values("endpoint").annotate(
        total=Count("pk"), helpful=Count("pk", filter=Q(helpful=True))
    )
    for row in rows:
        helpful, total = found.get(row["endpoint"], (0, 0))
        found[row["endpoint"]] = (helpful + row["helpful"], total + row["total"])
    return found


def _receipts(now: datetime) -> list[CalibrationReceipt]:
    since = feedback_window_start(now)
    minimum = settings.LLM_CALIBRATION_MIN_FEEDBACK
    return [
        CalibrationReceipt(
            endpoint=endpoint,
            helpful=helpful,
            total=total,
            factor=1.0 if total < minimum or not total else round(helpful / total, 4),
            min_feedback=minimum,
            window_start=since,
            computed_at=now,
        )
        for endpoint, (helpful, total) in sorted(feedback_counts(since).items())
    ]


def calibration_compute(now: datetime | None = None) -> list[CalibrationReceipt]:
    """The scheduled task: one receipt per endpoint with feedback (and `classify` always)."""
    return CalibrationReceipt.objects.bulk_create(_receipts(now or timezone.now()))


def page_receipt(history: list[CalibrationReceipt]) -> CalibrationReceipt:
    """The AI page's: the latest `classify` receipt of `history`, else what one would say now
    (unsaved: a page never writes)."""
    for receipt in history:
        if receipt.endpoint == CLASSIFY:
            return receipt
    return next(r for r in _receipts(timezone.now()) if r.endpoint == CLASSIFY)


def latest_receipt(endpoint: str = CLASSIFY) -> CalibrationReceipt:
    """The endpoint's latest receipt; the first one is computed here when there is none yet."""
    receipt = CalibrationReceipt.objects.filter(endpoint=endpoint).first()
    if receipt is not None:
        return receipt
    computed = {r.endpoint: r for r in calibration_compute()}
    if endpoint in computed:
        return computed[endpoint]
    minimum = settings.LLM_CALIBRATION_MIN_FEEDBACK  # no feedback at all: 1.0, nothing saved
    return CalibrationReceipt(
        endpoint=endpoint, helpful=0, total=0, factor=1.0, min_feedback=minimum
    )


def calibration_factor(endpoint: str = CLASSIFY) -> float:
    """The factor new answers of this endpoint get: the latest receipt's (shared by every
    worker; no process computes its own)."""
    return latest_receipt(endpoint).factor


def receipts_history(limit: int = RECEIPTS_SHOWN) -> list[CalibrationReceipt]:
    """The latest receipts of every endpoint, newest first (the AI page)."""
    return list(CalibrationReceipt.objects.all()[:limit])


@dataclass(frozen=True)
class Rate:
    """Reviews of one class or one confidence bucket."""

    label: str
    reviewed: int
    accepted: int
    corrected: int
    rejected: int
    mean_confidence: float | None = None

    @property
    def rate(self) -> float | None:
        return self.accepted / self.reviewed if self.reviewed else None

    @property
    def rate_pct(self) -> str:
        return pct(self.rate)


def _counts() -> dict[str, Count]:
    return {
        "reviewed": Count("pk"),
        "accepted": Count("pk", filter=Q(status=Status.ACCEPTED)),
        "corrected": Count("pk", filter=Q(status=Status.CORRECTED)),
        "rejected": Count("pk", filter=Q(status=Status.REJECTED)),
    }


def acceptance_by_class(proposals: QuerySet[ClassificationProposal]) -> list[Rate]:
    """Per proposed class, most reviewed first (one query)."""
    rows = (
        _reviewed(proposals)
        .values("proposed_class")
        .annotate(**_counts(), mean=Avg("confidence"))
        .order_by("-reviewed", "proposed_class")
    )
    return [
        Rate(
            r["proposed_class"],
            r["reviewed"],
            r["accepted"],
            r["corrected"],
            r["rejected"],
            r["mean"],
        )
        for r in rows
    ]


def calibration_table(proposals: QuerySet[ClassificationProposal]) -> list[Rate]:
    """Acceptance per raw-confidence bucket (0.0-0.1 .. 0.9-1.0), every bucket listed (one
    query). A calibrated model's rate rises with its confidence."""
    bucket = Least(Floor(F("confidence") * BUCKETS), BUCKETS - 1, output_field=FloatField())
    rows = {
        int(r["bucket"]): r
        for r in _reviewed(proposals).annotate(bucket=bucket).values("bucket").annotate(**_counts())
    }
    table = []
    for index in range(BUCKETS):
        row = rows.get(index, {"reviewed": 0, "accepted": 0, "corrected": 0, "rejected": 0})
        label = f"{index / BUCKETS:.1f}-{(index + 1) / BUCKETS:.1f}"
        table.append(
            Rate(label, row["reviewed"], row["accepted"], row["corrected"], row["rejected"])
        )
    return table


@dataclass(frozen=True)
class Week:
    calls: int
    errors: int
    latency_ms: float | None
    reviewed: int
    accepted: int

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.calls if self.calls else None

    @property
    def acceptance(self) -> float | None:
        return self.accepted / self.reviewed if self.reviewed else None

    @property
    def error_pct(self) -> str:
        return pct(self.error_rate)

    @property
    def acceptance_pct(self) -> str:
        return pct(self.acceptance)


@dataclass(frozen=True)
class Drift:
    """Spec 17: the last 7 days against the 7 before."""

    this_week: Week
    last_week: Week
    alerts: list[tuple[str, str]]  # (severity, text)

    @property
    def status(self) -> str:
        severities = {severity for severity, _ in self.alerts}
        if "critical" in severities:
            return "degraded"
        return "drifting" if severities else "stable"


def call_stats(now: datetime) -> dict[str, Any]:
    """Every figure the page reads from `LLMCall`, in one query: both weeks' calls, errors and
    latency (drift), today's tokens and cost, the last hour's calls (waiting)."""
    this, last = now - timedelta(days=7), now - timedelta(days=14)
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    in_this, in_last = Q(called_at__gt=this), Q(called_at__gt=last, called_at__lte=this)
    failed = Q(outcome__in=ERROR_OUTCOMES)
    today = Q(called_at__gte=day_start)
    stats: dict[str, Any] = LLMCall.objects.filter(called_at__gt=last).aggregate(
        n0=Count("pk", filter=in_this),
        e0=Count("pk", filter=in_this & failed),
        l0=Avg("latency_ms", filter=in_this),
        n1=Count("pk", filter=in_last),
        e1=Count("pk", filter=in_last & failed),
        l1=Avg("latency_ms", filter=in_last),
        tokens=Coalesce(Sum("total_tokens", filter=today), 0),
        cost=Coalesce(Sum("cost_usd", filter=today), 0.0),
        hour=Count("pk", filter=Q(called_at__gt=now - timedelta(hours=1))),
    )
    return stats


def _weeks(now: datetime, calls: dict[str, Any]) -> tuple[Week, Week]:
    """Both weeks' reviews in one query, with the calls' figures."""
    this, last = now - timedelta(days=7), now - timedelta(days=14)
    r_this, r_last = Q(reviewed_at__gt=this), Q(reviewed_at__gt=last, reviewed_at__lte=this)
    accepted = Q(status=Status.ACCEPTED)
    reviews = _reviewed(ClassificationProposal.objects.filter(reviewed_at__gt=last)).aggregate(
        r0=Count("pk", filter=r_this),
        a0=Count("pk", filter=r_this & accepted),
        r1=Count("pk", filter=r_last),
        a1=Count("pk", filter=r_last & accepted),
    )
    return (
        Week(calls["n0"], calls["e0"], calls["l0"], reviews["r0"], reviews["a0"]),
        Week(calls["n1"], calls["e1"], calls["l1"], reviews["r1"], reviews["a1"]),
    )


def drift(now: datetime, calls: dict[str, Any] | None = None) -> Drift:
    """Latency +50 % is a warning; an error rate over 5 % is critical, a doubled one a warning;
    an acceptance drop of more than 10 points is a warning. `calls`: `call_stats(now)`."""
    this, last = _weeks(now, calls if calls is not None else call_stats(now))
    alerts: list[tuple[str, str]] = []
    if this.latency_ms is not None and last.latency_ms and this.latency_ms > 1.5 * last.latency_ms:
        alerts.append(
            ("warning", f"latency up {this.latency_ms / last.latency_ms - 1:.0%} on last week")
        )
    if this.error_rate is not None and this.error_rate > 0.05:
        alerts.append(("critical", f"error rate {this.error_rate:.1%} (over 5 %)"))
    if this.error_rate and last.error_rate and this.error_rate >= 2 * last.error_rate:
        alerts.append(("warning", "error rate doubled on last week"))
    if this.acceptance is not None and last.acceptance is not None:
        drop = (last.acceptance - this.acceptance) * 100
        if drop > 10:
            alerts.append(("warning", f"acceptance down {drop:.0f} points on last week"))
    return Drift(this, last, alerts)


@dataclass(frozen=True)
class Waiting:
    """Why candidates wait, if they do: the endpoint, the budget, the hourly cap, the breaker."""

    reasons: list[str]
    tokens_today: int
    cost_today: float
    calls_last_hour: int
    breaker_failures: int
    breaker_open_until: datetime | None


def waiting(now: datetime, calls: dict[str, Any] | None = None) -> Waiting:
    """What `budget_check` and `breaker_check` would refuse now, read without raising or
    writing. `calls`: `call_stats(now)`."""
    usage = calls if calls is not None else call_stats(now)
    breaker = LLMBreaker.objects.filter(name=BREAKER).first()
    reasons = []
    if not settings.LLM_API_BASE:
        reasons.append("no endpoint is configured (STARGATE_LLM_API_BASE)")
    elif not settings.LLM_CLASSIFY:
        reasons.append("classification is off (STARGATE_LLM_CLASSIFY)")
    budget = settings.LLM_DAILY_TOKEN_BUDGET
    if budget and usage["tokens"] >= budget:
        reasons.append(f"daily token budget spent ({usage['tokens']} of {budget})")
    cost_budget = settings.LLM_DAILY_COST_BUDGET_USD
    if cost_budget and usage["cost"] >= cost_budget:
        reasons.append(f"daily cost budget spent (${usage['cost']:.4f} of ${cost_budget})")
    cap = settings.LLM_CALLS_PER_HOUR
    if cap and usage["hour"] >= cap:
        reasons.append(f"hourly call cap reached ({cap} calls)")
    open_until = breaker.open_until if breaker is not None else None
    if open_until is not None and open_until > now:
        reasons.append(f"the breaker is open until {open_until:%Y-%m-%d %H:%M:%S} UTC")
    return Waiting(
        reasons,
        int(usage["tokens"]),
        float(usage["cost"]),
        int(usage["hour"]),
        breaker.consecutive_failures if breaker is not None else 0,
        open_until,
    )


def calibration_receipts_task() -> int:
    """The `calibration-receipts` schedule's task: how many receipts it saved."""
    return len(calibration_compute())
