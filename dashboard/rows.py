"""The labs table's rows (`selectors.lab_table_rows`, named) as HTML, rendered in Python.

Fifty render on every view of the labs table, and the live updates push the same rows. Keep the
cells in the order of `dashboard.tables.LabInstanceTable`'s columns.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from dashboard.html import age_time, e, status_badge

PK_SENTINEL = 987654321


class RowRenderer:
    """Renders rows with each URL pattern reversed once and every age against one clock reading."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self._detail = reverse("labs:lab_instance_detail", args=[PK_SENTINEL])
        self._sentinel = str(PK_SENTINEL)
        self._clusters: dict[str, str] = {}

    def row(self, lab: dict[str, Any], *, oob: bool = False) -> str:
        pk = int(lab["pk"])
        changed = lab["status_changed_at"]
        since = age_time(changed, " ago", self.now) if changed else "—"
        cluster = lab["cluster_name"]
        swap = ' hx-swap-oob="true"' if oob else ""
        return (
            f'<tr id="lab-row-{pk}"{swap}>'
            f'<td class="mono"><a href="{self._detail.replace(self._sentinel, str(pk))}">'
            f"{e(lab['namespace'])}</a></td>"
            f'<td class="mono">{e(lab["guid"] or "—")}</td>'
            f'<td><a href="{e(self.cluster_url(cluster))}">{e(cluster)}</a></td>'
            f"<td>{e(lab['catalog_item'])}</td><td>{e(lab['team_name'] or '—')}</td>"
            f"<td>{status_badge(lab['status'] or 'unknown')}</td>"
            f"<td>{e(lab['failure_class'] or '—')}</td><td>{since}</td></tr>"
        )

    def cluster_url(self, name: str) -> str:
        url = self._clusters.get(name)
        if url is None:
            url = self._clusters[name] = reverse("labs:cluster_detail", args=[name])
        return url
