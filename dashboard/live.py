"""HTML fragments pushed to open dashboards when lab instances change.

Each fragment is an element with a stable id and `hx-swap-oob="true"`; the htmx ws extension
swaps it in place of the element with the same id, wherever that element is on the page.

Fragments are rendered once per audience (`labs.selectors.audiences_watching`: the platform
operators, and each team member's set of teams) and sent to that audience's group only: a
team's sockets receive its own counts and the rows of its own labs, never another team's.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from dashboard import charts, fleet, rollup, selectors
from dashboard.tables import RowRenderer
from labs import selectors as lab_selectors
from labs.models import LabInstance
from stargate import realtime
from stargate.realtime import dashboard_group, lab_group

DETAIL = "dashboard/lab_instance_detail.html"
LAB_STRIP = "dashboard/charts/lab_strip.html"


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
    messages.extend(
        (lab_group(instance.pk, instance.lab.team_id), lab_detail_html(instance))
        for instance in instances
    )
    return messages


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
