from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = "Labs and clusters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from labs.selectors import config_changes_seen
        from stargate.configaudit import change_scope_register
        from stargate.signals import sso_groups_received

        sso_groups_received.connect(_team_memberships_sync, dispatch_uid="labs-team-memberships")
        change_scope_register(config_changes_seen)
        _audience_changes_connect()


def _team_memberships_sync(sender: object, *, user: Any, groups: list[str], **_: Any) -> None:
    from labs.services import team_memberships_sync

    team_memberships_sync(user=user, groups=groups)


def _audience_changes_connect() -> None:
    """Whatever decides a user's audience (`labs.selectors.audience_of`) forgets the cached
    audiences when it changes: teams, memberships, users, groups and permissions."""
    from django.contrib.auth.models import Group, Permission, User
    from django.db.models import Model
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from labs.models import Team
    from labs.selectors import audiences_forget

    throughs: list[type[Model]] = [
        Team.members.through,
        User.groups.through,
        User.user_permissions.through,
        Group.permissions.through,
    ]
    models: list[type[Model]] = [Team, User, Group, Permission, *throughs]
    for model in models:
        label = model._meta.label_lower
        post_save.connect(audiences_forget, sender=model, dispatch_uid=f"audience-save-{label}")
        post_delete.connect(audiences_forget, sender=model, dispatch_uid=f"audience-del-{label}")
    for through in throughs:
        label = through._meta.label_lower
        m2m_changed.connect(audiences_forget, sender=through, dispatch_uid=f"audience-m2m-{label}")
