"""The labs table: columns (headers, sorting, pagination) declared here, rows from
`selectors.lab_table_rows`.

Rows render in Python (`dashboard.rows`, through the `lab_rows` and `lab_row` tags) rather than
django-tables2's per-cell machinery: the live updates push the same row (the `lab-row` partial of
labs/lab_table.html), and it is several times faster on the 20,000-lab fleet (see
bench/bench_dashboard.py). Keep the columns here and the cells there in the same order. For the
same reason the sort and page links are built here, from one copy of the query string, rather
than by a `querystring_replace` tag per link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import django_tables2 as tables
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

from labs.models import LabInstance


class CountedPaginator(Paginator):  # type: ignore[type-arg]  # any rows
    """A paginator told the number of rows when it is already known (None: it counts them).

    A known count comes from the fleet counts, which may lag the table by a few seconds: pages
    are sliced by the page size alone, so that the last one shows every row there is.
    """

    def __init__(self, object_list: Any, per_page: int, *, count: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return super().count if self.known_count is None else self.known_count

    def page(self, number: Any) -> Page:  # type: ignore[type-arg]  # any rows
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : bottom + self.per_page], number, self)


@dataclass(frozen=True)
class HeaderCell:
    label: str
    url: str = ""  # the query string that sorts by this column next; "" when it does not sort
    order: str = ""  # "asc" or "desc" when the table is sorted by this column


class LabInstanceTable(tables.Table):  # type: ignore[misc]  # django-tables2 is untyped
    namespace = tables.Column()
    guid = tables.Column(verbose_name="GUID")
    cluster = tables.Column(order_by=("cluster__name", "namespace"))
    catalog_item = tables.Column(accessor="lab__catalog_item", verbose_name="Catalog item")
    team = tables.Column(accessor="lab__team__name", verbose_name="Team")
    status = tables.Column()
    failure_class = tables.Column(verbose_name="Failure class")
    status_changed_at = tables.Column(verbose_name="Since")
    _labels: dict[str, str] | None = None

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
        template_name = "dashboard/lab_table.html"
        empty_text = "No lab matches these filters."

    def header_cells(self) -> list[HeaderCell]:
        """One cell per column; a new order starts at the first page."""
        params = self._query_params()
        params.pop(self.prefixed_page_field, None)
        labels = self._header_labels()
        cells = []
        for column in self.columns:
            if not column.orderable:
                cells.append(HeaderCell(labels[column.name]))
                continue
            alias = column.order_by_alias
            order = ("desc" if alias.is_descending else "asc") if column.is_ordered else ""
            params[self.prefixed_order_by_field] = alias.next
            cells.append(HeaderCell(labels[column.name], _query_string(params), order))
        return cells

    def _header_labels(self) -> dict[str, str]:
        """Column headers by name, resolved once (through the model's verbose names)."""
        cls = type(self)
        if cls._labels is None:
            cls._labels = {column.name: str(column.header) for column in self.columns}
        return cls._labels

    def page_urls(self) -> dict[str, str]:
        """{"prev": query string, "next": query string} for the pages around this one."""
        params, urls = self._query_params(), {}
        if self.page.has_previous():
            params[self.prefixed_page_field] = self.page.previous_page_number()
            urls["prev"] = _query_string(params)
        if self.page.has_next():
            params[self.prefixed_page_field] = self.page.next_page_number()
            urls["next"] = _query_string(params)
        return urls

    def _query_params(self) -> dict[str, Any]:
        return dict(self.request.GET.lists())


def _query_string(params: dict[str, Any]) -> str:
    return "?" + urlencode(params, doseq=True)
