from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = "Labs and clusters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from stargate.auth import sso_groups_received

        sso_groups_received.connect(_sso_groups_received, dispatch_uid="labs-sso-teams")


def _sso_groups_received(sender: Any, *, user: Any, groups: list[str], **kwargs: Any) -> None:
    """Every SSO login makes the user a member of exactly the teams of their groups."""
    from labs.services import team_memberships_sync

    team_memberships_sync(user=user, groups=groups)
