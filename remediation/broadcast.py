"""Approval-queue broadcasts, after commit.

Sent through stargate.realtime.send_html, the one broadcast helper. Fragments carry stable ids
(`approval-rows`, `approval-count`) so htmx's websocket extension swaps them out of band.
Embedded mode caveat: with the in-memory channel layer, a send from a qcluster worker process
does not reach the web process (the dashboard relays through LiveEvent rows; approvals do not
yet), so there the queue updates on the decider's own page and on reload.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.template.loader import render_to_string

from stargate import realtime

logger = logging.getLogger(__name__)


def approval_changed_on_commit(action_request_id: int) -> None:
    transaction.on_commit(lambda: approval_send(action_request_id), robust=True)


def approval_send(action_request_id: int) -> None:
    """Send the whole queue body and the count: new rows have no element to swap into yet."""
    from remediation.selectors import approval_queue, pending_count

    html = render_to_string(
        "remediation/approval_queue.html#approval-update",
        {"requests": approval_queue()[:100], "pending_count": pending_count(), "oob": True},
    )
    _send(html)


def _send(html: str) -> None:
    try:
        realtime.send_html(realtime.APPROVALS, html)
    except Exception:  # a broadcast must never undo or fail the committed decision
        logger.exception("approval broadcast failed")
