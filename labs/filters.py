"""The labs table's filters; every filter is a query-string parameter, so a view is a URL."""

from __future__ import annotations

from functools import partial
from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from labs.models import LabInstance, Status


class LabInstanceFilter(django_filters.FilterSet):  # type: ignore[misc]  # untyped package
    q = django_filters.CharFilter(method="search", label="GUID or namespace")
    # Choices are names, read once per request as plain values in `__init__`: model choice
    # fields would build every cluster, catalog item and team as a model instance through a
    # server-side cursor.
    cluster = django_filters.ChoiceFilter(field_name="cluster__name", empty_label="Any cluster")
    catalog_item = django_filters.ChoiceFilter(
        field_name="lab__catalog_item", label="Catalog item", empty_label="Any catalog item"
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    failure_class = django_filters.ChoiceFilter(
        label="Failure class", empty_label="Any failure class"
    )
    team = django_filters.ChoiceFilter(
        field_name="lab__team__name", label="Team", empty_label="Any team"
    )

    class Meta:
        model = LabInstance
        fields = ["q", "cluster", "catalog_item", "status", "failure_class", "team"]

    def __init__(
        self, data: Any, queryset: QuerySet[Any], *, choices: dict[str, list[str]]
    ) -> None:
        """`choices`: `selectors.lab_filter_choices`, values by filter name."""
        super().__init__(data, queryset)
        #: The options of each select, by filter name (without the empty one), for rendering.
        self.options: dict[str, list[tuple[str, str]]] = {"status": Status.choices}
        for name, values in choices.items():
            self.options[name] = _pairs(values)
            # A callable, so that building the form does not deep-copy every choice (twice,
            # with the widget's); it is called only to validate a value and to render options.
            self.filters[name].extra["choices"] = partial(_pairs, values)

    def search(self, queryset: QuerySet[LabInstance], name: str, value: Any) -> QuerySet[Any]:
        # Namespaces and GUIDs are lowercase DNS labels: a case-sensitive match on the lowered
        # term finds the same rows without upper-casing every row first.
        term = str(value).strip().lower()
        if not term:
            return queryset
        return queryset.filter(Q(guid__contains=term) | Q(namespace__contains=term))


def _pairs(values: list[str]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]
