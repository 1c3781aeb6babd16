"""The audit trail: one row per thing that happened to an action request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from remediation.models import ActionRequest, AuditEntry
from stargate.counters import counter_add

Event = AuditEntry.Event
# Audit events that are not an outcome of an action request.
NOT_OUTCOMES = {Event.BEFORE, Event.PAUSE, Event.WINDOW}
# Events whose outcome depends on `ok`.
BY_OK = {Event.AFTER: ("succeeded", "failed"), Event.VERIFIED: ("verified", "not_verified")}


def outcome_of(event: str, ok: bool) -> str | None:
    """The `outcome` label of `stargate_remediation_actions_total`, or None (not counted)."""
    if event in NOT_OUTCOMES:
        return None
    if event in BY_OK:
        return BY_OK[Event(event)][0 if ok else 1]
    return event


def audit_entry_record(
    action_request: ActionRequest,
    event: str,
    *,
    user: User | None = None,
    source: str | None = None,
    ok: bool = True,
    intent: str = "",
    gates: list[Any] | None = None,
    parameters: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
    error: str = "",
    duration_ms: float | None = None,
    target: str = "",
    dry_run: bool = False,
) -> AuditEntry:
    """Append one entry; `source` defaults to the request's (auto, manual, api). Outcomes are
    counted for `/metrics` in the same transaction (the caller's, or the entry's own)."""
    with transaction.atomic():
        outcome = outcome_of(event, ok)
        if outcome is not None:
            labels = {"action": action_request.action.action_id, "outcome": outcome}
            counter_add("stargate_remediation_actions", labels)
        return AuditEntry.objects.create(
            action_request=action_request,
            event=event,
            source=action_request.source if source is None else source,
            user=user,
            username=user.get_username() if user else "",
            ok=ok,
            intent=intent,
            gates=gates if gates is not None else [],
            parameters=parameters if parameters is not None else {},
            result=result if result is not None else {},
            error=error,
            duration_ms=duration_ms,
            target=target,
            dry_run=dry_run,
        )
