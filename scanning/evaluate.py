"""The one place the scanner hands evidence to the rubric engine (rubrics issue).

The engine's batch service, `rubrics_app.services.lab_instances_evaluate(*, items, now)`, records
verdicts in a handful of queries per batch. It is looked up at call time so that the scanner
still stores evidence when the rubric app is absent.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction

from labs.models import LabInstance
from stargate.lib.evidence import NamespaceEvidence

log = logging.getLogger(__name__)

Items = list[tuple[LabInstance, NamespaceEvidence]]
BatchEvaluator = Callable[..., Any]


def _evaluator() -> BatchEvaluator | None:
    try:
        services = importlib.import_module("rubrics_app.services")
    except ImportError:
        return None
    evaluate: BatchEvaluator | None = getattr(services, "lab_instances_evaluate", None)
    return evaluate


def evidence_evaluate(*, items: Items, now: datetime) -> int:
    """Evaluate a batch of labs' evidence; returns how many were evaluated. When the batch
    fails, each lab is retried alone, so one lab's bad evidence cannot block the others."""
    evaluate = _evaluator()
    if evaluate is None or not items:
        return 0
    try:
        with transaction.atomic():
            evaluate(items=items, now=now)
        return len(items)
    except Exception:
        log.exception(
            "rubric evaluation of a batch of %d labs failed; retrying one by one", len(items)
        )
    done = 0
    for item in items:
        try:
            with transaction.atomic():
                evaluate(items=[item], now=now)
            done += 1
        except Exception:
            log.exception("rubric evaluation failed for %s", item[0])
    return done
