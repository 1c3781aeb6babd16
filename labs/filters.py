"""The labs table's filters; every filter is a query-string parameter, so a view is a URL."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from labs import selectors
from labs.models import Cluster, Lab, LabInstance, Status, Team


def failure_class_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in selectors.failure_classes()]


class LabInstanceFilter(django_filters.FilterSet):  # type: ignore[misc]  # untyped package
    q = django_filters.CharFilter(method="search", label="GUID or namespace")
    cluster = django_filters.ModelChoiceFilter(
        queryset=Cluster.objects.all(), to_field_name="name", empty_label="Any cluster"
    )
    catalog_item = django_filters.ModelChoiceFilter(
        field_name="lab",
        queryset=Lab.objects.all(),
        to_field_name="catalog_item",
        label="Catalog item",
        empty_label="Any catalog item",
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    failure_class = django_filters.ChoiceFilter(
        choices=failure_class_choices, label="Failure class", empty_label="Any failure class"
    )
    team = django_filters.ModelChoiceFilter(
        field_name="lab__team",
        queryset=Team.objects.all(),
        label="Team",
        to_field_name="name",
        empty_label="Any team",
    )

    class Meta:
        model = LabInstance
        fields = ["q", "cluster", "catalog_item", "status", "failure_class", "team"]

    def search(self, queryset: QuerySet[LabInstance], name: str, value: Any) -> QuerySet[Any]:
        term = str(value).strip()
        if not term:
            return queryset
        return queryset.filter(Q(guid__icontains=term) | Q(namespace__icontains=term))
