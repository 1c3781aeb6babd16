"""The classification's periodic sweep and the attention gate's (automatic investigation, which
does nothing while switched off), synced by `manage.py setup_classification_schedules`.

The scan queues one task per batch after its commit; this sweep is the safety net behind it:
candidates that waited (budget spent, breaker open), or whose queued task a restarted worker or
a lost Redis queue dropped, are classified at the next sweep. Nothing is lost.
"""

from __future__ import annotations

from stargate.schedules import ScheduleSpec
from stargate.schedules import schedules_sync as specs_sync

SWEEP_SCHEDULE = "classification-sweep-candidates"
SWEEP_MINUTES = 5
ATTENTION_SCHEDULE = "attention-sweep"  # automatic investigation (spec 19.4): off by default
CALIBRATION_SCHEDULE = "calibration-receipts"
CALIBRATION_MINUTES = 1  # spec 17: every 60 s
SCHEDULES: tuple[ScheduleSpec, ...] = (
    ScheduleSpec(
        SWEEP_SCHEDULE, "rubrics_app.classification.candidates.candidates_sweep", SWEEP_MINUTES
    ),
    ScheduleSpec(
        ATTENTION_SCHEDULE, "rubrics_app.investigation.triggers.attention_sweep", SWEEP_MINUTES
    ),
    ScheduleSpec(
        CALIBRATION_SCHEDULE,
        "rubrics_app.classification.calibration.calibration_receipts_task",
        CALIBRATION_MINUTES,
    ),
)


def schedules_sync() -> list[str]:
    """Create or update the classification schedules; returns their names."""
    specs_sync(SCHEDULES)
    return [spec.name for spec in SCHEDULES]
