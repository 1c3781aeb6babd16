"""The one place the scanner hands evidence to the rubric engine (rubrics issue).

The engine's service is `rubrics_app.services.lab_instance_evaluate(*, lab_instance, evidence,
now)`. Until the rubrics branch is merged it does not exist, and evidence is only stored.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from labs.models import LabInstance
from stargate.lib.evidence import NamespaceEvidence

log = logging.getLogger(__name__)

Evaluator = Callable[..., Any]


def _evaluator() -> Evaluator | None:
    try:
        services = importlib.import_module("rubrics_app.services")
    except ImportError:
        return None
    evaluate: Evaluator | None = getattr(services, "lab_instance_evaluate", None)
    return evaluate


def evidence_evaluate(*, items: list[tuple[LabInstance, NamespaceEvidence]], now: datetime) -> int:
    """Evaluate each lab's evidence; returns how many were evaluated. One lab's failure is
    logged and does not stop the others."""
    evaluate = _evaluator()
    if evaluate is None:
        return 0
    done = 0
    for lab_instance, evidence in items:
        try:
            evaluate(lab_instance=lab_instance, evidence=evidence, now=now)
            done += 1
        except Exception:
            log.exception("rubric evaluation failed for %s", lab_instance)
    return done
