"""Workload complexity of a catalog definition (platform-contracts 24.5)."""

from __future__ import annotations

from typing import Any

# cloud alias -> multiplier (a setting's default); anything else 1.0
CLOUD_MULTIPLIERS = {
    "cnv": 1.2,
    "openshift_cnv": 1.2,
    "aws": 1.0,
    "ec2": 1.0,
    "azure": 1.0,
    "gcp": 1.0,
    "tenant": 0.5,
    "namespace": 0.5,
    "none": 0.5,
}


def _number(value: Any) -> float:
    if isinstance(value, bool):
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def complexity(
    *,
    workloads: Any,
    collections: Any,
    workers: Any,
    ai_cores: Any,
    timeout_seconds: Any = 3600,
    components: Any,
    cloud: str,
) -> dict[str, Any]:
    """`{score, components{...}, estimated_provision_minutes, resource_weight}`; non-numeric
    values count as 0, a missing timeout as 3600 s."""
    w, c, k, ai, n = (_number(v) for v in (workloads, collections, workers, ai_cores, components))
    timeout = _number(timeout_seconds) if timeout_seconds not in (None, "") else 3600.0
    multiplier = CLOUD_MULTIPLIERS.get(str(cloud or "").lower(), 1.0)
    raw = (
        0.10
        + min(w / 10, 1) * 0.15
        + min(c / 8, 1) * 0.10
        + min(k / 5, 1) * 0.20
        + min(ai / 64, 1) * 0.15
        + min(timeout / 14400, 1) * 0.20
        + min(n / 5, 1) * 0.10
    )
    return {
        "score": round(min(raw * multiplier, 1.0), 3),
        "components": {
            "workloads": w,
            "collections": c,
            "workers": k,
            "ai_cores": ai,
            "timeout_seconds": timeout,
            "components": n,
            "cloud": str(cloud or ""),
            "cloud_multiplier": multiplier,
        },
        "estimated_provision_minutes": int(timeout / 60 * 0.6 + w * 5 + c * 2),
        "resource_weight": round(max(k, 1) * max(ai, 4) / 32, 2),
    }
