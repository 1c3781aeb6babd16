"""Approval-queue broadcasts, after commit.

Minimal on purpose: stargate.realtime (dashboard issue) has no generic send helper yet. When it
lands, `_send` becomes a call to it. Fragments carry stable ids (`approval-<pk>`, `approval-count`)
so htmx's websocket extension swaps them out of band.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
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
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(realtime.APPROVALS, {"type": "html.fragment", "html": html})
    except Exception:  # a broadcast must never undo or fail the committed decision
        logger.exception("approval broadcast failed")
