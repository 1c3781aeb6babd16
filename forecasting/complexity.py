"""The footprint per attendee of a catalog item, from its complexity score (spec 24.3; the score
itself, spec 24.5, is `collectors.complexity`, stored on each `CatalogDefinition`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median

DEFAULT_COMPLEXITY = 0.3  # spec 24.3: a lab without a score
MIN_FOOTPRINT = 0.1
SANDBOX_CPU, SANDBOX_MEMORY_GIB = 4.0, 8.0  # one sandbox's default size (settings)
MIN_OBSERVED = 3  # running labs of the item needed before their measured size wins


@dataclass(frozen=True)
class Footprint:
    """What one attendee of a catalog item takes: pool handles, CPU cores and memory."""

    handles: float
    cpu: float
    memory_gib: float
    basis: str  # complexity | observed
    observed_labs: int = 0
    notes: tuple[str, ...] = field(default=())


def footprint(
    score: float | None,
    observed: Sequence[tuple[float, float]] = (),
    *,
    min_observed: int = MIN_OBSERVED,
    sandbox_cpu: float = SANDBOX_CPU,
    sandbox_memory_gib: float = SANDBOX_MEMORY_GIB,
) -> Footprint:
    """One sandbox per attendee scaled by the complexity score (`max(score or 0.3, 0.1)`, spec
    24.3); once `min_observed` running labs of the item were measured, their median CPU and
    memory replace the scaled default size (a median: one oversized lab does not move it)."""
    scale = max(score or DEFAULT_COMPLEXITY, MIN_FOOTPRINT)
    if len(observed) >= min_observed:
        cpu = median(c for c, _ in observed)
        memory = median(m for _, m in observed)
        return Footprint(scale, round(cpu, 3), round(memory, 3), "observed", len(observed))
    return Footprint(
        scale, round(sandbox_cpu * scale, 3), round(sandbox_memory_gib * scale, 3), "complexity"
    )
