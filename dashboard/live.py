"""HTML fragments pushed to open dashboards when lab instances change.

Each fragment is an element with a stable id and `hx-swap-oob="true"`; the htmx ws extension
swaps it in place of the element with the same id, wherever that element is on the page.

Fragments are rendered once per audience (`labs.selectors.audiences_watching`: the platform
operators, and each team member's set of teams) and sent to that audience's group only: a
team's sockets receive its own counts and the rows of its own labs, never another team's.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string

from dashboard import charts, fleet, rollup, selectors
from dashboard.tables import RowRenderer
from labs import selectors as lab_selectors
from labs.models import LabInstance
from stargate import realtime
from stargate.realtime import dashboard_group, lab_group

DETAIL = "dashboard/lab_instance_detail.html"
LAB_STRIP = "dashboard/charts/lab_strip.html"
# How long a lab page's socket counts as open after it connected: the channel layers' group
# expiry (channels' default, a day), after which the socket has left the lab's group anyway.
WATCH_SECONDS = 86400


def register() -> None:
    """The dashboard renders the `labs` and `fleet` topics (`DashboardConfig.ready`)."""
    realtime.register(realtime.LABS, lab_instance_fragments)
    realtime.register(realtime.FLEET, lab_instance_fragments)
    realtime.register(rollup.FLEET_CHARTS, fleet_charts_fragments)


def lab_instance_fragments(ids: list[int]) -> list[tuple[str, str]]:
    """(group, html) pairs: for each audience, its fleet parts and the table rows of the
    changed labs it sees; then each lab's own fragments for its group. No ids: the fleet parts
    only (a scan run ended).

    The fleet parts are computed anew, which also refreshes them for the next page views."""
    instances = lab_selectors.lab_instances_by_ids(ids) if ids else []
    messages: realtime.Messages = []
    for audience in lab_selectors.audiences_watching():
        snapshot = fleet.fleet_refresh(audience)
        group = dashboard_group(audience.key)
        messages.append((group, snapshot.parts.html()))
        seen = [i.pk for i in instances if audience.sees_team(i.lab.team_id)]
        if seen:
            rows = selectors.lab_table_rows_by_ids(seen, snapshot.counts, audience)
            messages.append((group, rows_html(rows)))
    watched = labs_watched([instance.pk for instance in instances])
    messages.extend(
        (lab_group(instance.pk, instance.lab.team_id), lab_detail_html(instance))
        for instance in instances
        if instance.pk in watched
    )
    return messages


def _watch_key(lab_instance_id: int) -> str:
    return f"live:lab-watched:{lab_instance_id}"


async def lab_watch_mark(lab_instance_id: int) -> None:
    """A socket joined the lab's group (`consumers.DashboardConsumer`): its page's fragments are
    rendered for the next day (never forgotten earlier: a socket that left costs a rendering,
    a socket forgotten would miss its pushes)."""
    await cache.aset(_watch_key(lab_instance_id), True, WATCH_SECONDS)


def labs_watched(ids: list[int]) -> set[int]:
    """The labs among `ids` whose page some socket may have open. A first scan changes
    thousands of labs nobody is looking at: their pages' fragments (a query and six template
    partials each, a third of such a scan) are not rendered. When the cache cannot answer,
    every lab counts as watched."""
    if not ids:
        return set()
    try:
        found = cache.get_many([_watch_key(pk) for pk in ids])
    except Exception:  # a cache fault must not cost a push: render them all
        return set(ids)
    return {pk for pk in ids if _watch_key(pk) in found}


def rows_html(rows: list[dict[str, Any]]) -> str:
    """Table rows travel in a message of their own: the HTML parser drops a `<tr>` that follows
    other elements outside a table, so a message mixing both would lose its rows."""
    renderer = RowRenderer()
    return "".join(renderer.row(row, oob=True) for row in rows)


def lab_detail_html(instance: LabInstance) -> str:
    context = {**selectors.lab_detail_context(instance), "oob": True}
    parts = ("lab-cause", "lab-summary", "lab-pipeline", "lab-timeline", "lab-actions")
    html = [render_to_string(f"{DETAIL}#{name}", context) for name in parts]
    html.append(render_to_string(LAB_STRIP, context))
    return "\n".join(html)


def fleet_charts_fragments(ids: list[int]) -> list[tuple[str, str]]:
    """The fleet overview's charts, drawn anew (the rollup changed), for every open overview."""
    return [
        (dashboard_group(audience.key), charts.fleet_charts_refresh(audience))
        for audience in lab_selectors.audiences_watching()
    ]
