"""OpenShift Route semantics: every ingress admitted."""

from __future__ import annotations

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, created_at, health


def route_health(route: KubeObject) -> ObjectHealth:
    ingresses = route.get("status", {}).get("ingress") or []
    admitted = [
        cond
        for ingress in ingresses
        for cond in ingress.get("conditions") or ()
        if cond.get("type") == "Admitted"
    ]
    for cond in admitted:
        if cond.get("status") == "False":
            reason = str(cond.get("reason") or "NotAdmitted")
            return health(route, Health.FAILED, reason, str(cond.get("message", "")))
    if admitted and all(cond.get("status") == "True" for cond in admitted):
        return health(route, Health.READY)
    return health(route, Health.PROGRESSING, "NotYetAdmitted", since=created_at(route))


def route_service(route: KubeObject) -> str:
    target = route.get("spec", {}).get("to") or {}
    return str(target.get("name", "")) if target.get("kind", "Service") == "Service" else ""
