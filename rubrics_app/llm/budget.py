"""Budget, hourly cap and circuit breaker, all kept in the database so that every worker process
sees the same state (the embedded mode's cache is per process)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum

from rubrics_app.models import LLMBreaker, LLMCall

from .errors import LLMUnavailable

BREAKER = "llm"


def budget_check(*, now: datetime) -> None:
    """Raise `LLMUnavailable` when today's tokens or cost, or this hour's calls, are spent
    (a limit of 0 is no limit). Answers from the cache cost nothing and are not counted."""
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = LLMCall.objects.filter(called_at__gte=day_start).aggregate(
        tokens=Sum("total_tokens"), cost=Sum("cost_usd")
    )
    tokens, cost = today["tokens"] or 0, today["cost"] or 0.0
    if settings.LLM_DAILY_TOKEN_BUDGET and tokens >= settings.LLM_DAILY_TOKEN_BUDGET:
        raise LLMUnavailable(
            f"daily token budget spent ({tokens} of {settings.LLM_DAILY_TOKEN_BUDGET})"
        )
    if settings.LLM_DAILY_COST_BUDGET_USD and cost >= settings.LLM_DAILY_COST_BUDGET_USD:
        raise LLMUnavailable(
            f"daily cost budget spent (${cost:.4f} of ${settings.LLM_DAILY_COST_BUDGET_USD})"
        )
    hour = LLMCall.objects.filter(called_at__gt=now - timedelta(hours=1)).aggregate(n=Count("pk"))
    if settings.LLM_CALLS_PER_HOUR and hour["n"] >= settings.LLM_CALLS_PER_HOUR:
        raise LLMUnavailable(f"hourly call cap reached ({settings.LLM_CALLS_PER_HOUR} calls)")


def _breaker() -> LLMBreaker:
    try:
        with transaction.atomic():
            return LLMBreaker.objects.get_or_create(name=BREAKER)[0]
    except IntegrityError:  # another worker created it first
        return LLMBreaker.objects.get(name=BREAKER)


def breaker_check(*, now: datetime) -> None:
    """Raise `LLMUnavailable` while the breaker is open."""
    open_until = _breaker().open_until
    if open_until is not None and open_until > now:
        raise LLMUnavailable(f"LLM temporarily unavailable: the breaker is open until {open_until}")


def breaker_failure(*, now: datetime) -> None:
    """Count one failed call; the Nth in a row opens the breaker (and each further one, after it
    half-opens, opens it again)."""
    _breaker()
    LLMBreaker.objects.filter(name=BREAKER).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    until = now + timedelta(seconds=settings.LLM_BREAKER_OPEN_SECONDS)
    LLMBreaker.objects.filter(
        name=BREAKER, consecutive_failures__gte=settings.LLM_BREAKER_FAILURES
    ).update(open_until=until)


def breaker_success() -> None:
    LLMBreaker.objects.filter(name=BREAKER).exclude(consecutive_failures=0, open_until=None).update(
        consecutive_failures=0, open_until=None
    )
