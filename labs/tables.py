"""The labs table: columns (headers, sorting, pagination) declared here, rows from
`selectors.lab_instance_list`.

Rows render through the `lab-row` partial of labs/lab_table.html rather than django-tables2's
per-cell machinery: the live updates push the same partial, and it is several times faster on the
20,000-lab fleet (see bench/bench_dashboard.py). Keep the columns here and the cells there in the
same order.
"""

from __future__ import annotations

import django_tables2 as tables

from labs.models import LabInstance


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
