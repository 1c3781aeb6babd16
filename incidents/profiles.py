"""Resolution profiles per (catalog item, failure class): pure maths (platform-contracts 22.3)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from statistics import median

MIN_TOTAL = 10  # no recommendation below this many failures

WATCH = "watch and wait"
INVESTIGATE = "investigate"
AUTOMATE = "candidate for automatic remediation"


@dataclass(frozen=True)
class Profile:
    catalog_item: str
    failure_class: str
    total: int
    resolved: int
    causes: dict[str, int]
    median_ttr_seconds: float | None
    self_resolve_rate: float
    human_rate: float
    recycled_rate: float
    recommendation: str  # "" below MIN_TOTAL failures


def recommend(total: int, resolved: int, recycled: float, self_rate: float, human: float) -> str:
    if total < MIN_TOTAL:
        return ""
    if recycled > 0.7 or self_rate > 0.5:
        return WATCH
    if human > 0.3 or resolved == 0 or (total - resolved) > resolved:
        return INVESTIGATE
    return AUTOMATE


def profile_of(
    catalog_item: str, failure_class: str, rows: list[tuple[str, float | None]]
) -> Profile:
    """`rows`: (cause, ttr seconds) per failure; cause "" while unresolved."""
    causes = Counter(cause for cause, _ in rows if cause)
    resolved = sum(causes.values())
    ttrs = [ttr for cause, ttr in rows if cause and ttr is not None]

    def rate(cause: str) -> float:
        return round(causes[cause] / resolved, 3) if resolved else 0.0

    self_rate, human = rate("self_resolved"), rate("human_remediated")
    recycled = rate("namespace_recycled")
    return Profile(
        catalog_item,
        failure_class,
        len(rows),
        resolved,
        dict(causes),
        median(ttrs) if ttrs else None,
        self_rate,
        human,
        recycled,
        recommend(len(rows), resolved, recycled, self_rate, human),
    )
