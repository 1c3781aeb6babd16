from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from labs.models import Cluster, Lab, LabInstance, Team
from labs.naming import LabName


@transaction.atomic
def lab_instance_upsert(*, cluster: Cluster, lab_name: LabName) -> LabInstance:
    """The LabInstance for a namespace seen by a scan, creating it and its Lab on first sight."""
    lab, created = Lab.objects.get_or_create(catalog_item=lab_name.catalog_item)
    if created and lab.team_id is None:
        lab_team_assign(lab)
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
def lab_instances_upsert(
    *, cluster: Cluster, lab_names: Iterable[LabName]
) -> dict[str, LabInstance]:
    """The batch form of `lab_instance_upsert` (a scan's first sight of many labs), by
    namespace: new Labs one by one (their creation is audited), new instances in one INSERT."""
    wanted = {lab_name.namespace: lab_name for lab_name in lab_names}
    catalog = {name.catalog_item for name in wanted.values()}
    labs = {lab.catalog_item: lab for lab in Lab.objects.filter(catalog_item__in=catalog)}
    for item in sorted(catalog - set(labs)):
        labs[item], created = Lab.objects.get_or_create(catalog_item=item)
        if created and labs[item].team_id is None:
            lab_team_assign(labs[item])
    LabInstance.objects.bulk_create(
        [
            LabInstance(
                cluster=cluster,
                namespace=name.namespace,
                guid=name.guid,
                lab=labs[name.catalog_item],
                team_id=labs[name.catalog_item].team_id,
            )
            for name in wanted.values()
        ],
        ignore_conflicts=True,
    )
    instances = LabInstance.objects.filter(cluster=cluster, namespace__in=list(wanted))
    found = {li.namespace: li for li in instances.select_related("lab")}
    revived = [li.pk for li in found.values() if li.deleted_at is not None]
    if revived:
        LabInstance.objects.filter(pk__in=revived).update(deleted_at=None)
        for instance in found.values():
            instance.deleted_at = None
    return found


@transaction.atomic
def team_memberships_sync(*, user: Any, groups: list[str]) -> list[Team]:
    """Make the user a member of exactly the teams whose SSO group is in `groups`."""
    teams = list(Team.objects.filter(sso_group__in=groups)) if groups else []
    user.teams.set(teams)
    return teams


def team_for_catalog_item(catalog_item: str, teams: list[Team] | None = None) -> Team | None:
    """The team whose catalog item patterns match `catalog_item`: the longest matching pattern
    wins, then the team name (so that the answer never depends on the order of rows)."""
    matches = []
    for team in Team.objects.all() if teams is None else teams:
        pattern = team.pattern_for(catalog_item)
        if pattern is not None:
            matches.append((-len(pattern), team.name, team))
    return min(matches, key=lambda match: match[:2])[2] if matches else None


def lab_team_assign(lab: Lab) -> Lab:
    """Give a new catalog item the team its patterns name (none: it stays without a team)."""
    team = team_for_catalog_item(lab.catalog_item)
    if team is not None:
        lab.team = team
        lab.save(update_fields=["team"])
    return lab


@transaction.atomic
def team_patterns_apply(team: Team) -> int:
    """After `team`'s patterns changed: give it the catalog items without a team that its
    patterns match (where it is their best match). Catalog items that have a team keep it:
    an admin's choice, or an earlier match, is never overridden. Returns how many it got."""
    teams = list(Team.objects.all())
    claimed = [
        lab.pk
        for lab in Lab.objects.filter(team__isnull=True).only("pk", "catalog_item")
        if team.pattern_for(lab.catalog_item) is not None
        and team_for_catalog_item(lab.catalog_item, teams) == team
    ]
    count = Lab.objects.filter(pk__in=claimed, team__isnull=True).update(team=team)
    LabInstance.objects.filter(lab_id__in=claimed, lab__team=team).exclude(team=team).update(
        team=team
    )
    return count
