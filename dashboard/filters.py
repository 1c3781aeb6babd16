"""The labs table's filters; every filter is a query-string parameter, so a view is a URL."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any, cast

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from labs.models import LabInstance, Status


class LabInstanceFilter(django_filters.FilterSet):  # type: ignore[misc]  # untyped package
    """Choices are names read once per request from the fleet counts (`selectors.
    lab_filter_choices`): model choice fields would build every cluster, catalog item and team
    as a model instance. Names filter by the ids they stand for, with no join: PostgreSQL then
    sees how few rows a catalog item has, instead of walking the table's order until it finds
    enough of them."""

    q = django_filters.CharFilter(method="search", label="GUID or namespace")
    cluster = django_filters.ChoiceFilter(method="filter_ids", empty_label="Any cluster")
    catalog_item = django_filters.ChoiceFilter(
        method="filter_ids", label="Catalog item", empty_label="Any catalog item"
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    failure_class = django_filters.ChoiceFilter(
        label="Failure class", empty_label="Any failure class"
    )
    team = django_filters.ChoiceFilter(method="filter_ids", label="Team", empty_label="Any team")

    ID_FIELDS = {"cluster": "cluster_id", "catalog_item": "lab_id", "team": "lab_id"}
    _form_class: type[forms.Form] | None = None

    class Meta:
        model = LabInstance
        fields = ["q", "cluster", "catalog_item", "status", "failure_class", "team"]

    def __init__(
        self, data: Any, queryset: QuerySet[Any], *, choices: dict[str, dict[str, list[int]]]
    ) -> None:
        """`choices`: `selectors.lab_filter_choices`."""
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


def _pairs(values: Iterable[str]) -> list[tuple[str, str]]:
    return [(value, value) for value in values]
