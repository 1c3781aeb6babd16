"""The admin of users, groups, the task queue and the identities, for staff team members.

- Users: a team member sees their teams' members only (`labs.selectors.visible_users`), in the
  users' changelist, its autocomplete and every user choice scoped through it (a team's members);
  they cannot grant superuser, staff, groups or permissions (a permission would make them
  platform operators), nor reach another team's member's change or password page.
- Groups carry permissions (`labs.view_all_labs` makes platform operators): operators only.
- django-q2's tasks, failures, schedules and queue (their names, arguments and results name
  every team's clusters and labs) and allauth's email addresses, SSO accounts, tokens and apps
  (they name users of every team; an app holds a client secret): operators only, not listed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import HttpRequest

from labs.admin_scoping import AudienceScoped
from labs.selectors import Audience, audience_of, visible_users

OPERATORS_ONLY_APPS = ("django_q", "account", "socialaccount")
GRANTS = ("is_superuser", "is_staff", "groups", "user_permissions")


class ScopedUserAdmin(AudienceScoped, UserAdmin[User]):
    """Django's user admin, scoped to the members of the user's teams."""

    audience_scoped = True

    def audience_rows(self, queryset: QuerySet[Any], audience: Audience) -> QuerySet[Any]:
        return queryset.filter(pk__in=visible_users(audience).values("pk"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        if obj is None or audience_of(request.user).everything:
            return fields
        return [*fields, *GRANTS]


class OperatorsGroupAdmin(AudienceScoped, GroupAdmin):
    operators_only = True


def operators_only(site: admin.AdminSite, app_labels: tuple[str, ...]) -> None:
    """Register again, for platform operators only, the admins of the models of `app_labels`."""
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label not in app_labels:
            continue
        scoped = type(
            type(model_admin).__name__,
            (AudienceScoped, type(model_admin)),
            {"operators_only": True, "__module__": __name__},
        )
        site.unregister(model)
        site.register(model, scoped)


for _model, _admin in ((User, ScopedUserAdmin), (Group, OperatorsGroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
operators_only(admin.site, OPERATORS_ONLY_APPS)
