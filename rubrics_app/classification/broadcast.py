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
    """A refresh trigger, never the rows: each open page then fetches its own list, so a reviewer
    sees only the labs `labs.selectors.lab_instances_for` gives them (team scoping)."""
    html = render_to_string("rubrics_app/proposals.html#proposal-refresh", {"oob": True})
    return [(PROPOSALS_GROUP, html)]
