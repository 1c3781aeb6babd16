"""Team scoping of the Django admin: what a staff team member may see there, every app's admin.

Staff who are not platform operators see, in every `AudienceScopedAdmin`, the rows of their
teams' labs only: the changelist, the change, history and delete pages (through
`get_queryset`), the list filters (only the values of the rows they see), the foreign-key and
many-to-many choices (through the related model's admin, when it is scoped too), inlines, and the
delete page (objects of another team are never named; a deletion that would reach them is
refused). Superusers and platform operators see everything (`labs.selectors.audience_of`).

Each admin says how its rows belong to teams, by lookups from its model:

- `team_path`: to the `Team` that owns the row's catalog item (`lab_instance__lab__team`);
- `cluster_path`: for rows of a cluster as a whole (node snapshots), to a cluster the team sees;
- or overrides `audience_rows(queryset, audience)` for anything else;
- `operators_only = True`: the whole model is for platform operators (its page is not listed);
- `operators_only_fields`: fields that count or name every team's labs (a scan run's figures).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects, get_fields_from_path
from django.db import router
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.text import capfirst

from labs.selectors import Audience, audience_of, visible_clusters

OTHER_TEAMS = "objects of other teams"
PROTECTED = "protected related objects"


class AudienceScoped:
    """The scoping shared by model admins and inlines (see the module's docstring)."""

    team_path: ClassVar[str | None] = None
    cluster_path: ClassVar[str | None] = None
    operators_only: ClassVar[bool] = False
    operators_only_fields: ClassVar[tuple[str, ...]] = ()
    audience_scoped: ClassVar[bool] = True

    def audience_rows(self, queryset: QuerySet[Any], audience: Audience) -> QuerySet[Any]:
        """`queryset` narrowed to the rows `audience` (not platform operators) may see."""
        if self.operators_only:
            return queryset.none()
        seen = Q(pk__in=[])
        if self.team_path:
            seen |= Q(**{f"{self.team_path}__in": sorted(audience.team_ids)})
        if self.cluster_path:
            seen |= Q(**{f"{self.cluster_path}__in": visible_clusters(audience).values("pk")})
        return queryset.filter(seen)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        audience = audience_of(request.user)
        return rows if audience.everything else self.audience_rows(rows, audience)

    def get_field_queryset(self, db: Any, db_field: Any, request: HttpRequest) -> Any:
        """Choices of a foreign key or many-to-many field: what the related admin shows."""
        chosen = super().get_field_queryset(db, db_field, request)  # type: ignore[misc]
        if audience_of(request.user).everything:
            return chosen
        related = _scoped_admin_of(self, db_field.remote_field.model)
        if related is None:
            return chosen
        rows = related.get_queryset(request)
        return rows if chosen is None else rows.order_by(*chosen.query.order_by)

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = super().get_exclude(request, obj) or ()  # type: ignore[misc]
        if audience_of(request.user).everything:
            return excluded
        return [*excluded, *self.operators_only_fields]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        if audience_of(request.user).everything:
            return fields
        return [f for f in fields if f not in self.operators_only_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)  # type: ignore[misc]
        if audience_of(request.user).everything:
            return fields
        return [f for f in fields if f not in self.operators_only_fields]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._operates(request) and super().has_view_permission(request, obj)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._operates(request) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._operates(request) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._operates(request) and super().has_delete_permission(request, obj)  # type: ignore[misc]

    def _operates(self, request: HttpRequest) -> bool:
        """False for an operators-only model and a user who is not a platform operator."""
        return not self.operators_only or audience_of(request.user).everything


class AudienceScopedAdmin(AudienceScoped, admin.ModelAdmin[Any]):
    """A model admin scoped to the user's teams (see the module's docstring)."""

    def get_list_filter(self, request: HttpRequest) -> Any:
        """Relation filters list only the values of the rows the user sees."""
        filters = super().get_list_filter(request)
        if audience_of(request.user).everything:
            return filters
        return [_related_only(self.model, entry) for entry in filters]

    def get_list_display(self, request: HttpRequest) -> Any:
        columns = super().get_list_display(request)
        if audience_of(request.user).everything:
            return columns
        return [c for c in columns if c not in self.operators_only_fields]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        """For a team member, a deletion that would reach another team's rows is refused; the
        page names the objects chosen only, never what the deletion reaches, nor counts."""
        if audience_of(request.user).everything:
            return super().get_deleted_objects(objs, request)
        _names, _counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        names = [f"{capfirst(o._meta.verbose_name)}: {o}" for o in objs]
        if protected:
            perms_needed = {*perms_needed, PROTECTED}
        if _reaches_other_teams(self, objs, request):
            perms_needed = {*perms_needed, OTHER_TEAMS}
        return names, {}, perms_needed, []


class OperatorsOnlyAdmin(AudienceScopedAdmin):
    """A model admin for platform operators only (rows that serve or name every team)."""

    operators_only = True


class AudienceScopedInline(AudienceScoped, admin.TabularInline[Any, Any]):
    """An inline whose rows are scoped like its model admin's."""


def _related_only(model: type[Model], entry: Any) -> Any:
    """A relation filter given by name becomes `RelatedOnlyFieldListFilter`."""
    if not isinstance(entry, str):
        return entry
    field = get_fields_from_path(model, entry)[-1]
    if field.is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    return entry


def _scoped_admin_of(admin_: Any, model: type[Model]) -> Any | None:
    site = admin_.admin_site
    if not site.is_registered(model):
        return None
    related = site.get_model_admin(model)
    return related if getattr(related, "audience_scoped", False) else None


def _reaches_other_teams(admin_: Any, objs: Any, request: HttpRequest) -> bool:
    """Whether deleting `objs` would delete or protect a row of a scoped model that its admin
    does not show the user."""
    collector = NestedObjects(using=router.db_for_write(admin_.model), origin=objs)
    collector.collect(objs)
    found: dict[Any, set[Any]] = {}
    model_objs: dict[Any, Any] = collector.model_objs  # {model: rows} (stubs say otherwise)
    for model, rows in model_objs.items():
        found.setdefault(model, set()).update(row.pk for row in rows)
    for row in collector.protected:
        found.setdefault(type(row), set()).add(row.pk)
    for model, pks in found.items():
        related = _scoped_admin_of(admin_, model)
        if related is None:
            continue
        if related.get_queryset(request).filter(pk__in=pks).count() < len(pks):
            return True
    return False
