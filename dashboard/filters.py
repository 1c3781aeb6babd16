"""The labs table's filters, declared from its columns (`dashboard.tables.COLUMNS`); every
filter is a query-string parameter, so a view is a URL."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any, cast

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from dashboard.tables import COLUMNS, FILTERS, ColumnFilter
from labs.models import LabInstance, Status


class LabFilterSet(django_filters.FilterSet):  # type: ignore[misc]  # untyped package
    """Choices are names read once per request from the fleet counts (`dashboard.selectors.
    lab_filter_choices`): model choice fields would build every cluster, catalog item and team
    as a model instance. Names filter by the ids they stand for, with no join: PostgreSQL then
    sees how few rows a catalog item has, instead of walking the table's order until it finds
    enough of them."""

    ID_FIELDS = {f.name: f.id_field for f in FILTERS if f.kind == "ids"}
    _form_class: type[forms.Form] | None = None

    def __init__(
        self, data: Any, queryset: QuerySet[Any], *, choices: dict[str, dict[str, list[int]]]
    ) -> None:
        """`choices`: `dashboard.selectors.lab_filter_choices`."""
        super().__init__(data, queryset)
        self.choice_ids = choices
        #: The options of each select, by filter name (without the empty one), for rendering.
        self.options: dict[str, list[tuple[str, str]]] = {"status": Status.choices}
        for name, values in choices.items():
            self.options[name] = _pairs(values)

    def get_form_class(self) -> type[forms.Form]:
        """The form class, built once: its fields are the same on every request but for the
        choices, which `form` sets on each request's copies."""
        cls = type(self)
        if cls._form_class is None:
            cls._form_class = super().get_form_class()
        return cls._form_class

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form = super().form
            for name, values in self.choice_ids.items():
                # A callable: called only to validate a value, never deep-copied.
                cast(forms.ChoiceField, form.fields[name]).choices = partial(_pairs, values)
        built: forms.Form = self._form
        return built

    def filter_ids(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        ids = self.choice_ids[name].get(value)
        if ids is None:  # not a choice: the form has refused it already
            return queryset
        return queryset.filter(**{f"{self.ID_FIELDS[name]}__in": ids})

    def search(self, queryset: QuerySet[LabInstance], name: str, value: Any) -> QuerySet[Any]:
        # Namespaces and GUIDs are lowercase DNS labels: a case-sensitive match on the lowered
        # term finds the same rows without upper-casing every row first.
        term = str(value).strip().lower()
        if not term:
            return queryset
        return queryset.filter(Q(guid__contains=term) | Q(namespace__contains=term))


def declared_filter(column_filter: ColumnFilter, label: str) -> django_filters.Filter:
    """The django-filter filter a column declares."""
    label = column_filter.label or label
    empty = column_filter.empty_label
    if column_filter.kind == "search":
        return django_filters.CharFilter(method="search", label=label)
    if column_filter.kind == "ids":
        return django_filters.ChoiceFilter(method="filter_ids", label=label, empty_label=empty)
    if column_filter.kind == "status":
        return django_filters.ChoiceFilter(choices=Status.choices, label=label, empty_label=empty)
    return django_filters.ChoiceFilter(label=label, empty_label=empty)


LabInstanceFilter: type[LabFilterSet] = type(
    "LabInstanceFilter",
    (LabFilterSet,),
    {
        column.filter.name: declared_filter(column.filter, column.label)
        for column in COLUMNS
        if column.filter is not None
    },
)


def _pairs(values: Iterable[str]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]
