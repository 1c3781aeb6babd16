"""HTML fragments pushed to open dashboards when lab instances change.

Each fragment is an element with a stable id and `hx-swap-oob="true"`; the htmx ws extension
swaps it in place of the element with the same id, wherever that element is on the page.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from dashboard import fleet, selectors
from dashboard.tables import RowRenderer
from labs import selectors as lab_selectors
from labs.models import LabInstance
from stargate import realtime
from stargate.realtime import DASHBOARD, lab_group

DETAIL = "dashboard/lab_instance_detail.html"


def register() -> None:
    """The dashboard renders the `labs` and `fleet` topics (`DashboardConfig.ready`)."""
    realtime.register(realtime.LABS, lab_instance_fragments)
    realtime.register(realtime.FLEET, lab_instance_fragments)


def lab_instance_fragments(ids: list[int]) -> list[tuple[str, str]]:
    """(group, html) pairs: fleet parts and table rows for the dashboard group, then each lab's
    own fragments for its group. No ids: the fleet parts only (a scan run ended).

    The fleet parts are computed anew, which also refreshes them for the next page views."""
    snapshot = fleet.fleet_refresh()
    messages = [(DASHBOARD, snapshot.parts.html())]
    if not ids:
        return messages
    instances = lab_selectors.lab_instances_by_ids(ids)
    if instances:
        rows = selectors.lab_table_rows_by_ids(ids, snapshot.counts)
        messages.append((DASHBOARD, rows_html(rows)))
    messages.extend((lab_group(instance.pk), lab_detail_html(instance)) for instance in instances)
    return messages


def rows_html(rows: list[dict[str, Any]]) -> str:
    """Table rows travel in a message of their own: the HTML parser drops a `<tr>` that follows
    other elements outside a table, so a message mixing both would lose its rows."""
    renderer = RowRenderer()
    return "".join(renderer.row(row, oob=True) for row in rows)


def lab_detail_html(instance: LabInstance) -> str:
    context = {**selectors.lab_detail_context(instance), "oob": True}
    parts = ("lab-cause", "lab-summary", "lab-pipeline", "lab-timeline", "lab-actions")
    return "\n".join(render_to_string(f"{DETAIL}#{name}", context) for name in parts)
