"""CDI DataVolume semantics: progress that advances is progress; a stall is caught by grace.

CDI records no time of last progress, and a DataVolume's conditions changed when the import
began, not when it stopped advancing: a stall is timed only by the engine's memory of when it
first saw this phase and percentage (`marker`), never from a timestamp of the object.
"""

from __future__ import annotations

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, condition, health


def datavolume_health(dv: KubeObject) -> ObjectHealth:
    status = dv.get("status", {})
    phase = str(status.get("phase", ""))
    if phase == "Succeeded":
        return health(dv, Health.READY)
    if phase == "Paused":
        return health(dv, Health.SUSPENDED, "Paused")
    running = condition(dv, "Running")
    if phase == "Failed":
        message = str((running or {}).get("message", ""))
        return health(dv, Health.FAILED, "Failed", message)
    if running and running.get("status") == "False" and running.get("reason") == "Error":
        return health(dv, Health.FAILED, "Error", str(running.get("message", "")))
    progress = str(status.get("progress", ""))
    message = f"{phase or 'Pending'} {progress}".strip()
    return health(dv, Health.PROGRESSING, phase or "Pending", message, marker=message)
