"""Review-page broadcasts: the `proposals` topic of `stargate.realtime`, after commit."""

from __future__ import annotations

from django.template.loader import render_to_string

from stargate import realtime

from .proposals import PROPOSALS

PROPOSALS_GROUP = "proposals"


def register() -> None:
    """rubrics_app renders the `proposals` topic (`RubricsAppConfig.ready`)."""
    realtime.register(PROPOSALS, proposal_fragments)


def proposal_fragments(ids: list[int]) -> realtime.Messages:
    """The pending list and its count, whichever proposals changed (new rows need the list)."""
    from rubrics_app.selectors import proposals_pending

    rows = list(proposals_pending()[:100])
    html = render_to_string(
        "rubrics_app/proposals.html#proposal-update",
        {"proposals": rows, "pending_count": len(rows), "oob": True},
    )
    return [(PROPOSALS_GROUP, html)]
