"""Which object an action should act on, read from the evidence behind a failure. Pure.

The rubric engine rolls pods up to their owner (`Deployment/web`); restart-pod needs the
failing pod itself, so it is found among the evidence's pods.
"""

from __future__ import annotations

from typing import Any

from remediation.catalog import ActionDef

FAILING_WAITING = ("CrashLoopBackOff", "Error", "BackOff")


def _waiting_reasons(pod: dict[str, Any]) -> list[str]:
    statuses = pod.get("status", {}).get("containerStatuses") or []
    return [
        str((status.get("state") or {}).get("waiting", {}).get("reason", "")) for status in statuses
    ]


def failing_pod(evidence: dict[str, Any], owner: str = "") -> str | None:
    """A pod crashlooping, evicted or OOM-killed, preferring one whose name starts with `owner`."""
    candidates = []
    for pod in evidence.get("objects", {}).get("pods", []):
        reasons = _waiting_reasons(pod)
        evicted = pod.get("status", {}).get("reason") == "Evicted"
        if evicted or any(r.endswith(FAILING_WAITING) for r in reasons if r):
            candidates.append(str(pod["metadata"]["name"]))
    preferred = [name for name in candidates if owner and name.startswith(f"{owner}-")]
    found = preferred or candidates
    return found[0] if found else None


def parameters_for(
    action: ActionDef, evidence: dict[str, Any], object_ref: str, subject: dict[str, Any] | None
) -> dict[str, object]:
    """Parameters for `action` from the failure's evidence; raises ValueError when unknowable."""
    kind, _, name = object_ref.partition("/")
    params: dict[str, object] = {}
    for param in action.parameters:
        value = _value(param, kind, name, evidence, subject)
        if value is not None:
            params[param] = value
    return params


def _value(
    param: str, kind: str, name: str, evidence: dict[str, Any], subject: dict[str, Any] | None
) -> object:
    if param == "pod":
        pod = name if kind == "Pod" else failing_pod(evidence, name if kind == "Deployment" else "")
        if pod is None:
            raise ValueError("no failing pod in the evidence")
        return pod
    if param == "deployment":
        return name if kind == "Deployment" else None
    if param in {"subject", "subject_namespace"}:
        if subject is None:
            raise ValueError("no AnarchySubject found for the lab")
        key = "name" if param == "subject" else "namespace"
        return subject["metadata"][key]
    raise ValueError(f"{param}: cannot be derived from the evidence")
