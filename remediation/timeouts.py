"""Requests a killed worker left approved or executing: failed after a timeout, audited.

An approved request counts from its decision (a person's, or the gates'), an executing one from
its start. Once failed, it no longer blocks a new request for its action (services), and a late
task finds nothing to claim (execution claims only APPROVED).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from remediation import broadcast, conf
from remediation.audit import audit_entry_record
from remediation.models import ActionRequest, AuditEntry

Status = ActionRequest.Status


def _stuck(deadline: dt.datetime) -> Q:
    approved = Q(status=Status.APPROVED, approved_since__lte=deadline)
    executing = Q(status=Status.EXECUTING, started_at__lte=deadline)
    return approved | executing


@transaction.atomic
def action_requests_time_out(*, now: dt.datetime | None = None) -> int:
    """Fail every request approved or executing for longer than the configured timeout."""
    now = now or timezone.now()
    minutes = conf.execution_timeout_minutes()
    deadline = now - dt.timedelta(minutes=minutes)
    stuck = ActionRequest.objects.annotate(
        approved_since=Coalesce("decided_at", "last_seen_at", "created_at")
    ).filter(_stuck(deadline))
    timed_out = 0
    for pk, status in list(stuck.values_list("pk", "status")):
        reason = f"timed out: {status} for more than {minutes} minutes (worker lost?)"
        if not ActionRequest.objects.filter(pk=pk, status=status).update(
            status=Status.FAILED, error=reason, finished_at=now
        ):
            continue  # it moved on meanwhile
        request = ActionRequest.objects.get(pk=pk)
        audit_entry_record(
            request, AuditEntry.Event.TIMED_OUT, ok=False, intent=reason, error=reason
        )
        broadcast.approval_changed_on_commit(pk)
        timed_out += 1
    return timed_out
