"""The audit trail: one row per thing that happened to an action request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from remediation.models import ActionRequest, AuditEntry


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
    """Append one entry; `source` defaults to the request's (auto, manual, api)."""
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
