"""The attention gate (platform-contracts 19.4): which failing verdict deserves an automatic
investigation. Steps 0-6, all must pass; the first that fails is the reason it was skipped.

Baselines are per catalog item over 7 days. StarGate stores one current verdict per lab and
rubric and a `StateChange` row each time one changes (the same rows the event pipeline turns
into `evaluation.*` events), so the item's *evaluations* are its labs' rubric state changes of
the last 7 days and its *fails of the class* those that went failed or warn with that class.
Time to resolve comes from the resolution records (`incidents.models.FailureRecord`, spec 22);
the resolution profile (step 5) from `incidents.selectors.resolution_profiles`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q

from labs.models import Status
from rubrics_app.models import Evaluation, InvestigationRun, StateChange

Trigger = InvestigationRun.Trigger
PREFIXES = ("sandbox-", "showroom-")
BASELINE_DAYS = 7
PROVISIONING_UNDER = timedelta(minutes=20)  # first evaluation younger: still provisioning
STUCK_FLOOR = timedelta(minutes=30)  # stuck past max(P95 time to resolve, this)
STUCK_WITHOUT_DATA = timedelta(minutes=60)  # stuck past this when nothing was ever resolved
ANOMALOUS_RATE = 0.05  # a class under 5 % of the item's evaluations…
ANOMALOUS_MIN_EVALUATIONS = 50  # …of more than 50
NAMESPACE_QUIET = timedelta(hours=4)  # step 2: one investigation per namespace in 4 h
PER_ITEM_PER_HOUR = 3  # step 3
DAILY_BUDGETS = {Trigger.AUTO_STUCK: 100, Trigger.AUTO_ANOMALOUS: 50}  # step 4
DAILY_TOTAL = 150
SELF_RESOLVE_PCT = 50  # step 5
TRANSIENT_LAST, TRANSIENT_OF = 3, 5  # step 6: 3 of the last 5 ended TRANSIENT…
NO_PASS_FOR = timedelta(hours=4)  # …unless the namespace has not passed for 4 h


@dataclass(frozen=True)
class Baseline:
    evaluations: int  # the item's rubric state changes in 7 days
    fails: int  # those to failed or warn with the class
    p95_ttr: float | None  # seconds; None: no resolution record of the class on the item

    @property
    def rate(self) -> float:
        return self.fails / self.evaluations if self.evaluations else 0.0


@dataclass(frozen=True)
class Decision:
    attention: str  # provisioning, stuck, anomalous, expected ("" before step 1)
    step: int | None  # the step that skipped it; None: it passed
    reason: str

    @property
    def trigger(self) -> str:
        return {"stuck": Trigger.AUTO_STUCK, "anomalous": Trigger.AUTO_ANOMALOUS}.get(
            self.attention, ""
        )


def p95(values: Sequence[float]) -> float | None:
    """The 95th percentile by nearest rank; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _minutes(delta: timedelta | float) -> str:
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else delta
    return f"{seconds / 60:.0f} min"


def attention_class(
    *, first_age: timedelta, failure_age: timedelta, baseline: Baseline
) -> tuple[str, str]:
    """Step 1, pure: the attention class and why."""
    if first_age < PROVISIONING_UNDER:
        return "provisioning", f"first evaluated {_minutes(first_age)} ago (under 20 min)"
    p95_ttr = baseline.p95_ttr
    if p95_ttr is not None:
        limit = max(timedelta(seconds=p95_ttr), STUCK_FLOOR)
        if failure_age > limit:
            return "stuck", f"failing {_minutes(failure_age)}, past {_minutes(limit)} (P95 ttr)"
    share = f"{baseline.rate:.1%} of {baseline.evaluations} evaluations of the item in 7 days"
    if baseline.rate < ANOMALOUS_RATE and baseline.evaluations > ANOMALOUS_MIN_EVALUATIONS:
        return "anomalous", f"the class is {share}"
    if p95_ttr is None and failure_age > STUCK_WITHOUT_DATA:
        return "stuck", f"failing {_minutes(failure_age)} with no resolution data (60 min)"
    ttr = f"P95 ttr {_minutes(p95_ttr)}" if p95_ttr is not None else "no resolution data"
    return "expected", f"failing {_minutes(failure_age)}, {ttr}; the class is {share}"


class AttentionGate:
    """One pass's gate: baselines and profiles are read once per catalog item and class."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._baselines: dict[tuple[int, str], Baseline] = {}
        self._profiles: dict[tuple[str, str], Any] | None = None

    def decide(self, evaluation: Evaluation) -> Decision:
        lab = evaluation.lab_instance
        if not lab.namespace.startswith(PREFIXES):
            return Decision("", 0, "not a sandbox- or showroom- namespace")
        attention, why = self.attention(evaluation)
        if attention not in ("stuck", "anomalous"):
            return Decision(attention, 1, f"{attention}: {why}")
        for step, check in enumerate(
            (self._namespace_quiet, self._item_hourly, self._daily, self._profile, self._transient),
            start=2,
        ):
            reason = check(evaluation, Decision(attention, None, why).trigger)
            if reason:
                return Decision(attention, step, reason)
        return Decision(attention, None, f"{attention}: {why}")

    def attention(self, evaluation: Evaluation) -> tuple[str, str]:
        lab = evaluation.lab_instance
        first = (
            StateChange.objects.filter(lab_instance=lab).order_by("at").values_list("at").first()
        )
        first_at = first[0] if first else lab.first_seen_at
        since = evaluation.outcome_since or evaluation.evaluated_at
        baseline = self.baseline(lab.lab_id, evaluation.failure_class)
        return attention_class(
            first_age=self.now - first_at, failure_age=self.now - since, baseline=baseline
        )

    def baseline(self, item_id: int, failure_class: str) -> Baseline:
        key = (item_id, failure_class)
        if key not in self._baselines:
            self._baselines[key] = self._baseline(item_id, failure_class)
        return self._baselines[key]

    def _baseline(self, item_id: int, failure_class: str) -> Baseline:
        from incidents.models import FailureRecord

        since = self.now - timedelta(days=BASELINE_DAYS)
        fails = Q(to_status__in=[Status.FAILED, Status.WARN], failure_class=failure_class)
        counts = (
            StateChange.objects.filter(lab_instance__lab_id=item_id, at__gte=since)
            .exclude(rubric_id="")
            .aggregate(all=Count("pk"), fails=Count("pk", filter=fails))
        )
        ttrs = FailureRecord.objects.filter(
            lab_id=item_id,
            failure_class=failure_class,
            resolved_at__gte=since,
            ttr_seconds__isnull=False,
        ).values_list("ttr_seconds", flat=True)
        return Baseline(
            counts["all"], counts["fails"], p95([float(t) for t in ttrs if t is not None])
        )

    def _namespace_quiet(self, evaluation: Evaluation, trigger: str) -> str:
        last = (
            InvestigationRun.objects.filter(
                lab_instance=evaluation.lab_instance, created_at__gte=self.now - NAMESPACE_QUIET
            )
            .values_list("created_at", flat=True)
            .first()
        )
        if last is None:
            return ""
        return f"investigated {_minutes(self.now - last)} ago (one per namespace in 4 h)"

    def _item_hourly(self, evaluation: Evaluation, trigger: str) -> str:
        count = (
            _automatic()
            .filter(
                lab_instance__lab_id=evaluation.lab_instance.lab_id,
                created_at__gte=self.now - timedelta(hours=1),
            )
            .count()
        )
        if count < PER_ITEM_PER_HOUR:
            return ""
        return f"{count} automatic investigations of the catalog item in the last hour (at most 3)"

    def _daily(self, evaluation: Evaluation, trigger: str) -> str:
        used = automatic_today(self.now)
        if used.get(trigger, 0) >= DAILY_BUDGETS[Trigger(trigger)]:
            return f"daily budget spent: {used[trigger]} {trigger} today"
        if sum(used.values()) >= DAILY_TOTAL:
            return f"daily budget spent: {sum(used.values())} automatic investigations today"
        return ""

    def _profile(self, evaluation: Evaluation, trigger: str) -> str:
        if self._profiles is None:
            from incidents.selectors import resolution_profiles

            self._profiles = {(p.catalog_item, p.failure_class): p for p in resolution_profiles()}
        found = self._profiles.get(
            (evaluation.lab_instance.lab.catalog_item, evaluation.failure_class)
        )
        if found is None or found.recommendation.replace(" ", "_") != "watch_and_wait":
            return ""
        if found.self_resolve_rate * 100 < SELF_RESOLVE_PCT:
            return ""
        return (
            f"resolution profile: watch and wait, {found.self_resolve_rate:.0%} resolve by "
            "themselves"
        )

    def _transient(self, evaluation: Evaluation, trigger: str) -> str:
        lab = evaluation.lab_instance
        verdicts = list(
            InvestigationRun.objects.filter(
                lab_instance__lab_id=lab.lab_id,
                failure_class=evaluation.failure_class,
                status=InvestigationRun.Status.COMPLETE,
            )
            .order_by("-completed_at", "-pk")
            .values_list("verdict", flat=True)[:TRANSIENT_OF]
        )
        transient = verdicts.count(InvestigationRun.Verdict.TRANSIENT)
        if transient < TRANSIENT_LAST or self._no_pass_for(evaluation) >= NO_PASS_FOR:
            return ""
        return (
            f"{transient} of the last {len(verdicts)} investigations of this class on the "
            "catalog item ended TRANSIENT"
        )

    def _no_pass_for(self, evaluation: Evaluation) -> timedelta:
        """How long the namespace has not passed: since it last left READY, else since its
        first evaluation."""
        lab = evaluation.lab_instance
        changes = StateChange.objects.filter(lab_instance=lab, rubric_id="")
        left = changes.filter(from_status=Status.READY).order_by("-at").values_list("at").first()
        if left is not None:
            return self.now - left[0]
        first = changes.order_by("at").values_list("at").first()
        return self.now - (first[0] if first else lab.first_seen_at)


def _automatic() -> Any:
    return InvestigationRun.objects.exclude(trigger_type=Trigger.MANUAL)


def day_start(now: datetime) -> datetime:
    """Daily budgets reset at midnight UTC, as the LLM budget's do."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def automatic_today(now: datetime) -> dict[str, int]:
    """Automatic investigations started today, per trigger type."""
    rows = (
        _automatic()
        .filter(created_at__gte=day_start(now))
        .order_by()
        .values_list("trigger_type")
        .annotate(n=Count("pk"))
    )
    return {str(trigger): int(n) for trigger, n in rows}
