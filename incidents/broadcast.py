"""Live incidents: the `incidents` topic of `stargate.realtime`, published after commit.

What a page shows depends on who looks (team scoping), so the push carries no incident data:
it swaps in small "refresh" elements (`incidents-refresh`, `incident-<id>-refresh`,
`open-incidents-refresh`) that make each open page fetch its own, user-scoped fragment."""

from __future__ import annotations

from django.template.loader import render_to_string

from stargate import realtime

TOPIC = "incidents"
GROUP = "incidents"


def register() -> None:
    realtime.register(TOPIC, incident_fragments)


def incidents_changed_on_commit(ids: list[int]) -> None:
    realtime.publish_on_commit(TOPIC, ids)


def incident_fragments(ids: list[int]) -> realtime.Messages:
    page = render_to_string("incidents/refresh.html", {"ids": ids})
    fleet = render_to_string("incidents/refresh.html", {"fleet": True})
    return [(GROUP, page), (realtime.DASHBOARD, fleet)]
