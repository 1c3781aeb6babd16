"""KubeVirt VirtualMachine and VirtualMachineInstance semantics, and the guest agent."""

from __future__ import annotations

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, condition, condition_since, false_since, health

VM_FAILED = frozenset(
    {
        "CrashLoopBackOff",
        "ErrorUnschedulable",
        "ErrImagePull",
        "ImagePullBackOff",
        "ErrorPvcNotFound",
        "DataVolumeError",
        "ErrorDataVolumeNotFound",
    }
)
VM_SUSPENDED = frozenset({"Stopped", "Paused"})
VMI_PROGRESSING = frozenset({"Pending", "Scheduling", "Scheduled", ""})


def _true(obj: KubeObject, kind: str) -> bool:
    cond = condition(obj, kind)
    return cond is not None and cond.get("status") == "True"


def vm_health(vm: KubeObject) -> ObjectHealth:
    printable = str(vm.get("status", {}).get("printableStatus", ""))
    ready = condition(vm, "Ready")
    if printable in VM_FAILED:
        return health(vm, Health.FAILED, printable, str((ready or {}).get("message", "")))
    if printable in VM_SUSPENDED:
        return health(vm, Health.SUSPENDED, printable)
    if _true(vm, "RestartRequired"):
        return health(vm, Health.WARN, "RestartRequired", "a spec change waits for a restart")
    if printable == "Running" and _true(vm, "Ready"):
        return health(vm, Health.READY)
    reason = printable or str((ready or {}).get("reason", "")) or "Starting"
    # No since: a VM's Ready went False when it stopped, not when it was started again, and a
    # VM waits in Provisioning for as long as its disks import. Its VMI times the boot itself.
    return health(vm, Health.PROGRESSING, reason, marker=reason)


def vmi_health(vmi: KubeObject) -> ObjectHealth:
    phase = str(vmi.get("status", {}).get("phase", ""))
    ready = condition(vmi, "Ready")
    if phase in ("Failed", "Unknown"):
        return health(vmi, Health.FAILED, f"Phase{phase}", str((ready or {}).get("message", "")))
    if phase == "Succeeded":
        return health(vmi, Health.SUSPENDED, "Shutdown")
    if phase == "Running" and _true(vmi, "Ready"):
        return health(vmi, Health.READY)
    reason = phase if phase in VMI_PROGRESSING and phase else "NotReady"
    return health(vmi, Health.PROGRESSING, reason, since=false_since(ready, vmi))


def guest_agent_health(vmi: KubeObject) -> ObjectHealth:
    """AgentConnected, counted from when the VMI became ready (the boot grace starts there)."""
    if _true(vmi, "AgentConnected"):
        return health(vmi, Health.READY, "AgentConnected")
    ready = condition(vmi, "Ready")
    since = condition_since(ready, vmi)
    message = "the guest agent is not connected"
    return health(vmi, Health.PROGRESSING, "AgentNotConnected", message, since=since)
