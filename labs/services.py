from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from labs.models import Cluster, Lab, LabInstance, Team
from labs.naming import LabName
from stargate import realtime


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


@transaction.atomic
def lab_instance_status_set(
    *, instance: LabInstance, status: str, failure_class: str = ""
) -> LabInstance:
    """Record a lab's new status and tell open dashboards after commit.

    The rubric engine owns evaluations; this is the lab-side write for callers that only move the
    status (and the demo, tests and benchmark that drive the dashboard without a scan).
    """
    now = timezone.now()
    changed = instance.status != status or instance.failure_class != failure_class
    instance.status, instance.failure_class, instance.last_evaluated_at = status, failure_class, now
    if changed:
        instance.status_changed_at = now
    instance.full_clean()
    instance.save(
        update_fields=["status", "failure_class", "status_changed_at", "last_evaluated_at"]
    )
    if changed:
        realtime.lab_instances_changed_on_commit([instance.pk])
    return instance
