"""Severity of an incident or a lone failure: pure arithmetic over its factors.

score = class score (critical 10, high 8, medium 5, low 2; unknown 5)
        x 1.5 when systemic
        x session urgency (2 if a session on a member lab runs now or starts within 60 min,
          1.5 within 120 min)
        x blast radius (1.5 from 20 affected attendees, 1.2 from 5)
level: critical ≥ 8, high ≥ 6, medium ≥ 4, else low (platform-contracts 20.4).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

CLASS_SCORES = {"critical": 10.0, "high": 8.0, "medium": 5.0, "low": 2.0}
DEFAULT_SCORE = 5.0
SYSTEMIC = 1.5
LEVELS = ((8.0, "critical"), (6.0, "high"), (4.0, "medium"))


@dataclass(frozen=True)
class Factors:
    class_severity: str  # from rubrics/failure_classes.yaml; "" when the class is unknown
    systemic: bool = False
    next_session_in_min: float | None = None  # negative or 0: a session is running
    attendees: int = 1  # lab instances affected (one attendee each)
    labs: int = 1  # catalog items affected


@dataclass(frozen=True)
class Severity:
    level: str
    score: float
    factors: dict[str, Any]


def session_multiplier(minutes: float | None) -> float:
    if minutes is None:
        return 1.0
    if minutes <= 60:
        return 2.0
    if minutes <= 120:
        return 1.5
    return 1.0


def blast_multiplier(attendees: int) -> float:
    if attendees >= 20:
        return 1.5
    if attendees >= 5:
        return 1.2
    return 1.0


def level_of(score: float) -> str:
    return next((level for floor, level in LEVELS if score >= floor), "low")


def severity_of(factors: Factors) -> Severity:
    base = CLASS_SCORES.get(factors.class_severity, DEFAULT_SCORE)
    systemic = SYSTEMIC if factors.systemic else 1.0
    session = session_multiplier(factors.next_session_in_min)
    blast = blast_multiplier(factors.attendees)
    score = round(base * systemic * session * blast, 2)
    shown = {
        **asdict(factors),
        "base": base,
        "systemic_multiplier": systemic,
        "session_multiplier": session,
        "blast_multiplier": blast,
    }
    return Severity(level_of(score), score, shown)
