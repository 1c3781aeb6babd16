"""The seam for notifications: `approval_requested` is sent inside the transaction that makes
an action request wait for a person (created pending, or redecided to pending), with
`action_request`, so a receiver's outbox row commits or rolls back with it."""

from __future__ import annotations

from django.dispatch import Signal

approval_requested = Signal()
