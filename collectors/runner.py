"""Run one collector's cycle: retries with backoff, freshness state, last error masked.

Each source is its own django-q2 schedule (`collectors.schedules`) calling `collectors.tasks.
collect(source=...)`, so a failing or slow source never delays another: every call it makes has
the source's timeout, and its retries are bounded. A failed cycle keeps the last good records
(nothing is replaced by an empty result) and records the error, masked by `stargate`'s
redaction, on the source's `SourceState` and its `CollectionRun`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.module_loading import import_string

from stargate.lib.redact import redact_text

from .conf import SourceSettings, source_settings
from .http import SourceError
from .models import CollectionRun, SourceName, SourceState

logger = logging.getLogger(__name__)
ERROR_LENGTH = 1000

# source -> dotted path of `collect(source: SourceSettings, now: datetime) -> Collected`
COLLECTORS: dict[str, str] = {
    SourceName.BABYLON: "collectors.sources.babylon.collect",
    SourceName.LABAGATOR: "collectors.sources.labagator.collect",
    SourceName.LAUNCHPAD: "collectors.sources.labagator.collect_launchpad",
    SourceName.AAP: "collectors.sources.aap.collect",
    SourceName.DEMOLITION: "collectors.sources.demolition.collect",
    SourceName.SANDBOX_API: "collectors.sources.sandbox.collect",
    SourceName.AGNOSTICV: "collectors.sources.agnosticv.collect",
    SourceName.ZEROTOUCH: "collectors.sources.zerotouch.collect",
    SourceName.CLUSTER_SCHEDULER: "collectors.sources.observability.collect_scheduler",
    SourceName.PROMETHEUS: "collectors.sources.observability.collect_prometheus",
    SourceName.ALERTMANAGER: "collectors.sources.observability.collect_alertmanager",
}


@dataclass
class Collected:
    """What a cycle read: how many records, and its summary (persisted every cycle)."""

    items: int
    summary: dict[str, Any] = field(default_factory=dict)


Collector = Callable[[SourceSettings, datetime], Collected]


def mask(message: str) -> str:
    return redact_text(message)[:ERROR_LENGTH]


def source_run(
    name: str, *, now: datetime | None = None, sleep: Callable[[float], None] = time.sleep
) -> CollectionRun | None:
    """One cycle of `name`; None when the source is not configured (its state says so)."""
    source = source_settings(name)
    state, _ = SourceState.objects.get_or_create(name=name)
    state.interval_seconds = source.interval_seconds
    state.configured = source.configured
    if not state.configured:
        state.save(update_fields=["interval_seconds", "configured"])
        return None
    collector: Collector = import_string(COLLECTORS[name])
    started = now or timezone.now()
    clock = time.monotonic()
    run = CollectionRun(source=name, started_at=started)
    error: SourceError | None = None
    result: Collected | None = None
    for attempt in range(source.retries + 1):
        run.attempts = attempt + 1
        try:
            result = collector(source, started)
            break
        except SourceError as exc:
            error = exc
        except Exception as exc:  # a bug or an unexpected shape: recorded, never raised on
            logger.exception("collector %s failed", name)
            error = SourceError("error", f"{type(exc).__name__}: {exc}")
        if not error.retryable or attempt == source.retries:
            break
        sleep(source.backoff_seconds * 2**attempt)
    finished = timezone.now() if now is None else started
    run.finished_at = finished
    state.last_attempt_at = started
    state.last_duration_ms = int((time.monotonic() - clock) * 1000)
    if result is not None:
        run.ok, run.items, run.summary = True, result.items, result.summary
        state.last_success_at = started
        state.consecutive_failures = 0
        state.items, state.summary = result.items, result.summary
    else:
        assert error is not None
        run.error_kind, run.error = error.kind, mask(str(error))
        state.last_error_kind, state.last_error = run.error_kind, run.error
        state.last_error_at = started
        state.consecutive_failures += 1
        logger.warning("collector %s: %s", name, run.error)
    run.save()
    state.save()
    return run


def sources_run(names: list[str] | None = None) -> dict[str, str]:
    """Run several sources one after the other (`manage.py collect`); one's failure never stops
    the next. Returns each source's result: ok, the error kind, or `not configured`."""
    outcome: dict[str, str] = {}
    for name in names or list(COLLECTORS):
        run = source_run(name)
        outcome[name] = "not configured" if run is None else ("ok" if run.ok else run.error_kind)
    return outcome
