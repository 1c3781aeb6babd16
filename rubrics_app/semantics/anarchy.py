"""Babylon AnarchySubject semantics: the provisioning state machine."""

from __future__ import annotations

from datetime import datetime

from stargate.lib.evidence import KubeObject

from .common import Health, ObjectHealth, created_at, health, parse_time

READY_STATES = frozenset({"started"})
SUSPENDED_STATES = frozenset({"stopped", "stopping"})
PROGRESSING_STATES = frozenset(
    {"", "new", "provision-pending", "provisioning", "starting", "destroying"}
)
INITIAL_STATES = frozenset({"", "new", "provision-pending", "provisioning"})
STATE_ACTIONS = {"provisioning": "provision", "starting": "start", "destroying": "destroy"}


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
    return health(subject, Health.PROGRESSING, state or "new", since=state_since(subject, state))


def state_since(subject: KubeObject, state: str) -> datetime | None:
    """When this state began: the running action's `startTimestamp` (Babylon's status.actions),
    else the creation for the states a subject starts in. A lab `starting` or `destroying`
    days after its creation, with no action record, is timed from first sight (None)."""
    action = STATE_ACTIONS.get(state, "")
    record = (subject.get("status", {}).get("actions") or {}).get(action) or {}
    running = record and not record.get("completeTimestamp")
    if running and (started := parse_time(record.get("startTimestamp"))):
        return started
    return created_at(subject) if state in INITIAL_STATES and not record else None
