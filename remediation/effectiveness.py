"""Effectiveness of (failure class, action) pairs, and the suggestions a human confirms. Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace

MIN_RUNS_TO_GRADUATE = 10
GRADUATE_RATE = 0.9
MIN_RUNS_TO_DEMOTE = 5
DEMOTE_RATE = 0.5


@dataclass(frozen=True)
class EffectivenessRow:
    failure_class: str
    action_id: str
    risk: str
    runs: int
    succeeded: int
    verified: int
    recovered: int
    mean_seconds_to_ready: float | None
    suggestion: str = ""
    suggested_risk: str = ""

    @property
    def success_rate(self) -> float:
        return self.succeeded / self.runs if self.runs else 0.0

    @property
    def recovery_rate(self) -> float | None:
        return self.recovered / self.verified if self.verified else None

    def with_suggestion(self, text: str) -> EffectivenessRow:
        return replace(self, suggestion=text, suggested_risk=suggested_risk(self.risk, text))


def suggestion(row: EffectivenessRow) -> str:
    """Graduate a reliable action one risk step towards automatic; demote an unreliable one."""
    rate = row.recovery_rate
    if rate is None:
        return ""
    if row.verified >= MIN_RUNS_TO_DEMOTE and rate < DEMOTE_RATE and row.risk != "high":
        return "demote: raise the risk one step (more approvals)"
    if row.verified >= MIN_RUNS_TO_GRADUATE and rate >= GRADUATE_RATE and row.risk != "low":
        return "graduate: lower the risk one step (more automatic)"
    return ""


RISKS = ("low", "medium", "high")


def suggested_risk(risk: str, text: str) -> str:
    """The risk a suggestion leads to, or "" when there is none."""
    if risk not in RISKS or not text:
        return ""
    step = 1 if text.startswith("demote") else -1
    return RISKS[min(max(RISKS.index(risk) + step, 0), len(RISKS) - 1)]
