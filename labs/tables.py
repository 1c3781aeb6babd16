"""The labs table: columns declared here, rows from `selectors.lab_instance_list`."""

from __future__ import annotations

import django_tables2 as tables

from labs.models import LabInstance


def row_id(record: LabInstance) -> str:
    return f"lab-row-{record.pk}"


class LabInstanceTable(tables.Table):  # type: ignore[misc]  # django-tables2 is untyped
    namespace = tables.Column(linkify=True, attrs={"td": {"class": "mono"}})
    guid = tables.Column(verbose_name="GUID", attrs={"td": {"class": "mono"}})
    cluster = tables.Column(linkify=True, order_by=("cluster__name",))
    catalog_item = tables.Column(accessor="lab__catalog_item", verbose_name="Catalog item")
    team = tables.Column(accessor="lab__team__name", verbose_name="Team", default="—")
    status = tables.TemplateColumn(
        '{% include "components/status_badge.html" with status=record.status %}'
    )
    failure_class = tables.Column(verbose_name="Failure class", default="—")
    status_changed_at = tables.TemplateColumn(
        "{% load stargate_extras %}{% if value %}"
        '<time datetime="{{ value|date:"c" }}" title="{{ value }}">{{ value|age }} ago</time>'
        "{% else %}—{% endif %}",
        verbose_name="Since",
    )

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
        row_attrs = {"id": row_id}
        attrs = {"class": "grid", "id": "lab-table-grid"}
        empty_text = "No lab matches these filters."
