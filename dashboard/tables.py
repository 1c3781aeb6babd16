"""The labs table, defined once: `COLUMNS` drives the header (labels and sort links), the cells
of every row (the page's and the live updates') and the filters (`dashboard.filters`).

Rows come from `labs.selectors.lab_table_rows`, named by `dashboard.selectors`, and render in
Python, one `format_html` per row, rather than through django-tables2's per-cell machinery or a
template per row: the live updates push the same row, and it is several times faster on the
20,000-lab fleet (see bench/bench_dashboard.py). django-tables2 still orders and paginates (the
`sort` and `page` query parameters). The sort and page links are built here, from one copy of
the query string, rather than by a `querystring_replace` tag per link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

import django_tables2 as tables
from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from dashboard.html import age, age_time, status_badge, text_html
from labs.selectors import TRIAGE_ORDER

NONE = text_html("—")
PK_SENTINEL = 987654321


@dataclass(frozen=True)
class ColumnFilter:
    """The filter of a column, a query-string parameter (`dashboard.filters` declares it)."""

    name: str
    kind: Literal["search", "ids", "status", "value"]
    label: str = ""  # the column's label when empty
    id_field: str = ""  # kind "ids": the row field the chosen ids match
    empty_label: str = ""  # the select's first option (any value)


@dataclass(frozen=True)
class Column:
    """One column: its header, how to sort by it, its cell and its filter."""

    name: str  # the sort key in the query string (`sort=name`, `sort=-name`)
    label: str
    cell: str  # the `<td>`, a `format_html` format string
    values: Callable[[RowRenderer, dict[str, Any]], tuple[Any, ...]]  # the cell's values
    order_by: tuple[str, ...] = ()  # the fields sorted by (the name when empty)
    filter: ColumnFilter | None = None
    fields: tuple[str, ...] = ()  # the row fields the cell shows (the rendered rows' key)


#: Rendered rows by the values they show and the age they show them at: a table shows the same
#: rows view after view, and escaping every value of every row again (`format_html`) would cost
#: as much as the rest of the page. Started afresh when full.
_rows: dict[tuple[Any, ...], SafeString] = {}
ROWS_KEPT = 20000


class RowRenderer:
    """Renders rows with each URL pattern reversed once and every age against one clock reading."""

    def __init__(self) -> None:
        self.now = timezone.now()
        detail = reverse("labs:lab_instance_detail", args=[PK_SENTINEL]).split(str(PK_SENTINEL))
        self._detail_before, self._detail_after = escape(detail[0]), escape(detail[1])
        self._clusters: dict[str, SafeString] = {}

    def row(self, lab: dict[str, Any], *, oob: bool = False) -> SafeString:
        changed = lab["status_changed_at"]
        age_text = age(changed, self.now) if changed else ""
        key = (oob, self._detail_before, age_text, *[lab[field] for field in ROW_FIELDS])
        html = _rows.get(key)
        if html is None:
            if len(_rows) >= ROWS_KEPT:
                _rows.clear()
            values = [value for column in COLUMNS for value in column.values(self, lab)]
            html = _rows[key] = format_html(ROW_OOB if oob else ROW, lab["pk"], *values)
        return html

    def detail_url(self, pk: int) -> SafeString:
        return self._detail_before + text_html(pk) + self._detail_after

    def cluster_url(self, name: str) -> SafeString:
        url = self._clusters.get(name)
        if url is None:
            url = self._clusters[name] = escape(reverse("labs:cluster_detail", args=[name]))
        return url

    def since(self, moment: Any) -> SafeString:
        return age_time(moment, " ago", self.now) if moment else NONE


COLUMNS: tuple[Column, ...] = (
    Column(
        "namespace",
        "Namespace",
        '<td class="mono"><a href="{}">{}</a></td>',
        lambda r, lab: (r.detail_url(lab["pk"]), text_html(lab["namespace"])),
        fields=("pk", "namespace"),
        filter=ColumnFilter("q", "search", label="GUID or namespace"),
    ),
    Column(
        "guid",
        "GUID",
        '<td class="mono">{}</td>',
        lambda r, lab: (text_html(lab["guid"]) if lab["guid"] else NONE,),
        fields=("guid",),
    ),
    Column(
        "cluster",
        "Cluster",
        '<td><a href="{}">{}</a></td>',
        lambda r, lab: (r.cluster_url(lab["cluster_name"]), text_html(lab["cluster_name"])),
        fields=("cluster_name",),
        order_by=("cluster__name", "namespace"),
        filter=ColumnFilter("cluster", "ids", id_field="cluster_id", empty_label="Any cluster"),
    ),
    Column(
        "catalog_item",
        "Catalog item",
        "<td>{}</td>",
        lambda r, lab: (text_html(lab["catalog_item"]),),
        fields=("catalog_item",),
        order_by=("lab__catalog_item",),
        filter=ColumnFilter(
            "catalog_item", "ids", id_field="lab_id", empty_label="Any catalog item"
        ),
    ),
    Column(
        "team",
        "Team",
        "<td>{}</td>",
        lambda r, lab: (text_html(lab["team_name"]) if lab["team_name"] else NONE,),
        fields=("team_name",),
        order_by=("lab__team__name",),
        filter=ColumnFilter("team", "ids", id_field="lab_id", empty_label="Any team"),
    ),
    Column(
        "status",
        "Status",
        "<td>{}</td>",
        lambda r, lab: (status_badge(lab["status"] or "unknown"),),
        fields=("status",),
        order_by=TRIAGE_ORDER,  # by severity (`labs.models.status_rank`), never alphabetical
        filter=ColumnFilter("status", "status", empty_label="Any status"),
    ),
    Column(
        "failure_class",
        "Failure class",
        "<td>{}</td>",
        lambda r, lab: (text_html(lab["failure_class"]) if lab["failure_class"] else NONE,),
        fields=("failure_class",),
        filter=ColumnFilter("failure_class", "value", empty_label="Any failure class"),
    ),
    Column(
        "status_changed_at",
        "Since",
        "<td>{}</td>",
        lambda r, lab: (r.since(lab["status_changed_at"]),),
        fields=("status_changed_at",),  # and the age, from the renderer's clock
    ),
)
FILTERS: tuple[ColumnFilter, ...] = tuple(c.filter for c in COLUMNS if c.filter is not None)
ROW_FIELDS = tuple(dict.fromkeys(field for column in COLUMNS for field in column.fields))
ROW = '<tr id="lab-row-{}">' + "".join(column.cell for column in COLUMNS) + "</tr>"
ROW_OOB = ROW.replace(">", ' hx-swap-oob="true">', 1)


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

    def html(self) -> SafeString:
        if not self.url:
            return format_html("<th>{}</th>", self.label)
        if not self.order:
            return format_html(
                '<th><a href="{}" hx-get="{}" class="sort">{}</a></th>',
                self.url,
                self.url,
                self.label,
            )
        descending = self.order == "desc"
        return format_html(
            '<th aria-sort="{}"><a href="{}" hx-get="{}" class="sort sorted-{}">{}'
            '<span aria-hidden="true">{}</span></a></th>',
            "descending" if descending else "ascending",
            self.url,
            self.url,
            self.order,
            self.label,
            " ▼" if descending else " ▲",
        )


class LabTable(tables.Table):  # type: ignore[misc]  # django-tables2 is untyped
    """Ordering and pagination; the columns are `COLUMNS` (see `LabInstanceTable`)."""

    class Meta:
        empty_text = "No lab matches these filters."
        order_by = ("status",)  # worst first, most recent change first

    def header_html(self) -> SafeString:
        """The header row with its sort links; a new order starts at the first page."""
        return format_html(
            "<thead><tr>{}</tr></thead>",
            format_html_join("", "{}", ((cell.html(),) for cell in self.header_cells())),
        )

    def header_cells(self) -> list[HeaderCell]:
        params = self._query_params()
        params.pop(self.prefixed_page_field, None)
        cells = []
        for column, bound in zip(COLUMNS, self.columns, strict=True):
            alias = bound.order_by_alias
            order = ("desc" if alias.is_descending else "asc") if bound.is_ordered else ""
            params[self.prefixed_order_by_field] = alias.next
            cells.append(HeaderCell(column.label, _query_string(params), order))
        return cells

    def rows_html(self) -> SafeString:
        """The page's rows, or a row saying that none matches."""
        renderer = RowRenderer()
        rows = [renderer.row(row.record) for row in self.paginated_rows]
        if not rows:
            return format_html(
                '<tr><td colspan="{}" class="muted">{}</td></tr>', len(COLUMNS), self.empty_text
            )
        return format_html("\n".join(["{}"] * len(rows)), *rows)

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


LabInstanceTable: type[LabTable] = type(
    "LabInstanceTable",
    (LabTable,),
    {
        column.name: tables.Column(verbose_name=column.label, order_by=column.order_by or None)
        for column in COLUMNS
    },
)


def _query_string(params: dict[str, Any]) -> str:
    return "?" + urlencode(params, doseq=True)
