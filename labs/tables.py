"""The labs table: columns (headers, sorting, pagination) declared here, rows from
`selectors.lab_instance_list`.

Rows render through the `lab_row` tag (labs/templatetags/stargate_extras.py) rather than
django-tables2's per-cell machinery: the live updates push the same row (the `lab-row` partial of
labs/lab_table.html), and it is several times faster on the 20,000-lab fleet (see
bench/bench_dashboard.py). Keep the columns here and the cells there in the same order.
"""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from labs.models import LabInstance


class CountedPaginator(Paginator):  # type: ignore[type-arg]  # any rows
    """A paginator told the number of rows when it is already known (None: it counts them)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return super().count if self.known_count is None else self.known_count


class LabInstanceTable(tables.Table):  # type: ignore[misc]  # django-tables2 is untyped
    namespace = tables.Column()
    guid = tables.Column(verbose_name="GUID")
    cluster = tables.Column(order_by=("cluster__name", "namespace"))
    catalog_item = tables.Column(accessor="lab__catalog_item", verbose_name="Catalog item")
    team = tables.Column(accessor="lab__team__name", verbose_name="Team")
    status = tables.Column()
    failure_class = tables.Column(verbose_name="Failure class")
    status_changed_at = tables.Column(verbose_name="Since")

    class Meta:
        model = LabInstance
        fields = (
            "namespace",
            "guid",
            "cluster",
            "catalog_item",
            "team",
            "status",
            "failure_class",
            "status_changed_at",
        )
        template_name = "labs/lab_table.html"
        attrs = {"class": "grid", "id": "lab-table-grid"}
        empty_text = "No lab matches these filters."
