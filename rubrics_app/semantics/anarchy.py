"""Babylon AnarchySubject semantics: the provisioning state machine."""

from __future__ import annotations

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, created_at, health

READY_STATES = frozenset({"started"})
SUSPENDED_STATES = frozenset({"stopped", "stopping"})
PROGRESSING_STATES = frozenset(
    {"", "new", "provision-pending", "provisioning", "starting", "destroying"}
)


def anarchy_state(subject: KubeObject) -> str:
    """`spec.vars.current_state` (Babylon), or `status.state` in older captures."""
    state = (subject.get("spec", {}).get("vars") or {}).get("current_state")
    if state is None:
        state = subject.get("status", {}).get("state")
    return str(state or "")


def anarchy_health(subject: KubeObject) -> ObjectHealth:
    state = anarchy_state(subject)
    if state in READY_STATES:
        return health(subject, Health.READY, state)
    if state.endswith("-failed"):
        message = str(subject.get("status", {}).get("runStatusMessage", ""))
        return health(subject, Health.FAILED, state, message)
    if state in SUSPENDED_STATES:
        return health(subject, Health.SUSPENDED, state)
    return health(subject, Health.PROGRESSING, state or "new", since=created_at(subject))
