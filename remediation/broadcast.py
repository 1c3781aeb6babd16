"""Approval-queue broadcasts: the `approvals` topic of `stargate.realtime`, after commit.

Fragments carry stable ids (`approval-rows`, `approval-count`) so htmx's websocket extension swaps
them out of band. Like every topic, they are relayed in the embedded mode too (`stargate.relay`).
"""

from __future__ import annotations

from django.template.loader import render_to_string

from stargate import realtime


def register() -> None:
    """Remediation renders the `approvals` topic (`RemediationConfig.ready`)."""
    realtime.register(realtime.APPROVALS, approval_fragments)


def approval_changed_on_commit(action_request_id: int) -> None:
    realtime.publish_on_commit(realtime.APPROVALS, [action_request_id])


def approval_fragments(ids: list[int]) -> realtime.Messages:
    """The whole queue body and the count, whichever requests changed: new rows have no element
    to swap into yet."""
    from remediation.selectors import approval_queue, pending_count

    html = render_to_string(
        "remediation/approval_queue.html#approval-update",
        {"requests": approval_queue()[:100], "pending_count": pending_count(), "oob": True},
    )
    return [(realtime.APPROVALS_GROUP, html)]


def approval_send(action_request_id: int) -> None:
    """Deliver now (committed state), as after the commit of a decision."""
    realtime.publish(realtime.APPROVALS, [action_request_id])
