"""Service semantics: a selector-backed Service needs ready endpoints."""

from __future__ import annotations

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, health


def ready_addresses(endpoints: KubeObject | None) -> int:
    if endpoints is None:
        return 0
    return sum(len(subset.get("addresses") or ()) for subset in endpoints.get("subsets") or ())


def service_health(service: KubeObject, endpoints: KubeObject | None) -> ObjectHealth:
    spec = service.get("spec", {})
    if not spec.get("selector") or spec.get("type") == "ExternalName":
        return health(service, Health.READY, "Unmanaged", "no selector: endpoints are external")
    if ready_addresses(endpoints) > 0:
        return health(service, Health.READY)
    # No since: a Service that loses its endpoints on day five is timed from when the engine
    # first saw it so, not from its creation.
    return health(service, Health.PROGRESSING, "NoReadyEndpoints", "no ready endpoints")
