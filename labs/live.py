"""HTML fragments pushed to open dashboards when lab instances change.

Each fragment is an element with a stable id and `hx-swap-oob="true"`; the htmx ws extension
swaps it in place of the element with the same id, wherever that element is on the page.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from labs import selectors
from labs.models import LabInstance
from labs.tables import LabInstanceTable
from stargate.realtime import DASHBOARD, lab_group

FLEET = "labs/fleet_overview.html"
DETAIL = "labs/lab_instance_detail.html"
FLEET_PARTS = ("status-counters", "cluster-table", "failure-classes", "recent-changes")


def lab_instance_fragments(ids: list[int]) -> list[tuple[str, str]]:
    """(group, html) pairs: one message for the dashboard group, one per lab's own group."""
    instances = selectors.lab_instances_by_ids(ids)
    messages = [(DASHBOARD, dashboard_html(instances))]
    messages.extend((lab_group(instance.pk), lab_detail_html(instance)) for instance in instances)
    return messages


def dashboard_html(instances: list[LabInstance]) -> str:
    context = {**selectors.fleet_context(), "oob": True}
    parts = [render_to_string(f"{FLEET}#{name}", context) for name in FLEET_PARTS]
    table = LabInstanceTable(instances)
    parts.extend(
        render_to_string("labs/lab_table.html#lab-row", {"row": row, "oob": True})
        for row in table.rows
    )
    return "\n".join(parts)


def lab_detail_html(instance: LabInstance) -> str:
    context = {**selectors.lab_detail_context(instance), "oob": True}
    parts = ("lab-summary", "lab-pipeline", "lab-timeline")
    return "\n".join(render_to_string(f"{DETAIL}#{name}", context) for name in parts)
