"""PersistentVolumeClaim semantics."""

from __future__ import annotations

from collections.abc import Iterable

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, created_at, health, name_of


def _event_reasons(pvc: KubeObject, events: Iterable[KubeObject]) -> dict[str, str]:
    name = name_of(pvc)
    return {
        str(event.get("reason", "")): str(event.get("message", ""))
        for event in events
        if (event.get("involvedObject") or {}).get("kind") == "PersistentVolumeClaim"
        and (event.get("involvedObject") or {}).get("name") == name
    }


def pvc_health(
    pvc: KubeObject, events: Iterable[KubeObject] = (), consumer_started: bool = False
) -> ObjectHealth:
    """Bound is ready; WaitForFirstConsumer is normal until its consumer starts."""
    phase = pvc.get("status", {}).get("phase", "Pending")
    if phase == "Bound":
        return health(pvc, Health.READY)
    if phase == "Lost":
        return health(pvc, Health.FAILED, "Lost", "the bound volume is gone")
    reasons = _event_reasons(pvc, events)
    if "ProvisioningFailed" in reasons:
        return health(pvc, Health.FAILED, "ProvisioningFailed", reasons["ProvisioningFailed"])
    if "WaitForFirstConsumer" in reasons and not consumer_started:
        return health(pvc, Health.READY, "WaitForFirstConsumer", reasons["WaitForFirstConsumer"])
    return health(pvc, Health.PROGRESSING, "Pending", since=created_at(pvc))


def claims_in_use(pods: Iterable[KubeObject]) -> set[str]:
    """Claims mounted by pods that were scheduled: their WaitForFirstConsumer wait is over."""
    used = set()
    for pod in pods:
        if not pod.get("spec", {}).get("nodeName") and pod.get("status", {}).get("phase") in (
            None,
            "Pending",
        ):
            continue
        for volume in pod.get("spec", {}).get("volumes") or ():
            if claim := (volume.get("persistentVolumeClaim") or {}).get("claimName"):
                used.add(str(claim))
    return used
