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
    to swap into yet. Rendered once per audience (each sees its teams' requests only), for
    the audiences whose requests changed."""
    from labs.selectors import audiences_watching
    from remediation.selectors import approval_queue, pending_count, visible_action_requests

    messages: realtime.Messages = []
    for audience in audiences_watching():
        if ids and not visible_action_requests(audience).filter(pk__in=ids).exists():
            continue
        context = {
            "requests": approval_queue(audience)[:100],
            "pending_count": pending_count(audience),
            "oob": True,
        }
        html = render_to_string("remediation/approval_queue.html#approval-update", context)
        messages.append((realtime.approvals_group(audience.key), html))
    return messages


def approval_send(action_request_id: int) -> None:
    """Deliver now (committed state), as after the commit of a decision."""
    realtime.publish(realtime.APPROVALS, [action_request_id])
