"""Showroom semantics: the HTTP probe of the lab guide, with consecutive-failure hysteresis."""

from __future__ import annotations

from typing import Any

from stargate.lib.evidence import ShowroomProbe

from .common import Health, ObjectHealth

FAILURES_BEFORE_FAILED = 3
SLOW_RESPONSE_MS = 5000.0


def _failure_reason(probe: ShowroomProbe) -> str:
    status = probe.get("readyz_status")
    if status is None:
        return "Unreachable"
    if status != 200:
        return "ReadyzFailed"
    if not probe.get("content_ok", False):
        return "ContentMissing"
    return ""


def showroom_health(probe: ShowroomProbe) -> ObjectHealth:
    """One flapping probe is a warning; only `FAILURES_BEFORE_FAILED` in a row fail the lab."""
    name = probe.get("url", "showroom")
    if reason := _failure_reason(probe):
        message = probe.get("error") or f"readyz={probe.get('readyz_status')}"
        failures = probe.get("consecutive_failures", 1)
        status = Health.FAILED if failures >= FAILURES_BEFORE_FAILED else Health.WARN
        return ObjectHealth("Showroom", name, status, reason, f"{message}; {failures} in a row")
    response_ms = probe.get("response_ms")
    if response_ms is not None and response_ms > SLOW_RESPONSE_MS:
        return ObjectHealth("Showroom", name, Health.WARN, "SlowResponse", f"{response_ms:.0f} ms")
    return ObjectHealth("Showroom", name, Health.READY)


def showroom_probe_from_capture(
    capture: dict[str, Any], consecutive_failures: int = 0
) -> ShowroomProbe:
    """Adapt a captured `ShowroomHealth` object (../shared/fixtures/showroom) to the probe shape."""
    status = capture.get("status", {})
    return ShowroomProbe(
        url=f"https://showroom.{capture.get('metadata', {}).get('namespace', '')}",
        readyz_status=status.get("readyz_status") if status.get("route_reachable", True) else None,
        content_ok=bool(status.get("content_loaded")),
        response_ms=status.get("response_time_ms"),
        consecutive_failures=consecutive_failures,
    )
