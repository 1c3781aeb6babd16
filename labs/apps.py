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


def _team_memberships_sync(sender: object, *, user: Any, groups: list[str], **_: Any) -> None:
    from labs.services import team_memberships_sync

    team_memberships_sync(user=user, groups=groups)
