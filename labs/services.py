from __future__ import annotations

from typing import Any

from django.db import transaction

from labs.models import Cluster, Lab, LabInstance, Team
from labs.naming import LabName


@transaction.atomic
def lab_instance_upsert(*, cluster: Cluster, lab_name: LabName) -> LabInstance:
    """The LabInstance for a namespace seen by a scan, creating it and its Lab on first sight."""
    lab, _ = Lab.objects.get_or_create(catalog_item=lab_name.catalog_item)
    instance, created = LabInstance.objects.get_or_create(
        cluster=cluster,
        namespace=lab_name.namespace,
        defaults={"guid": lab_name.guid, "lab": lab},
    )
    if not created and instance.deleted_at is not None:
        instance.deleted_at = None
        instance.save(update_fields=["deleted_at"])
    return instance


@transaction.atomic
def team_memberships_sync(*, user: Any, groups: list[str]) -> list[Team]:
    """Make the user a member of exactly the teams whose SSO group is in `groups`."""
    teams = list(Team.objects.filter(sso_group__in=groups)) if groups else []
    user.teams.set(teams)
    return teams
