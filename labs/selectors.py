"""Read queries over the domain: clusters, catalog items, teams and lab instances.

Only `labs` models are read here; pages that combine them with scans and verdicts read them
through `dashboard.selectors`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.auth.models import Permission, User
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from labs.models import Cluster, Lab, LabInstance, Status, Team, status_rank


class LabCountGroup(NamedTuple):
    """Live lab instances of one (cluster, status, failure class)."""

    cluster_id: int
    status: str
    failure_class: str
    n: int


VIEW_ALL_LABS = "labs.view_all_labs"
AUDIENCE_ATTR = "_stargate_audience"
AUDIENCE_KEY = "labs:audience"
AUDIENCE_GENERATION = "labs:audience-generation"
AUDIENCE_TTL = 60


@dataclass(frozen=True, slots=True)
class Audience:
    """Whose labs a user sees: every lab (platform operators) or those of some teams.

    Labs are the lab instances of catalog items (`Lab`) whose team is one of `team_ids`; a
    catalog item without a team is seen by platform operators only. Everything the dashboard
    caches or broadcasts per viewer is kept per audience (`key`)."""

    everything: bool = False
    team_ids: frozenset[int] = frozenset()

    @property
    def key(self) -> str:
        """Names the audience in cache keys and channel groups (short, ASCII)."""
        if self.everything:
            return "all"
        key = "teams-" + "-".join(str(pk) for pk in sorted(self.team_ids))
        if len(key) > 60:  # channel group names stay under 100 characters
            key = "teams-" + hashlib.sha256(key.encode()).hexdigest()[:32]
        return key

    def sees_team(self, team_id: int | None) -> bool:
        return self.everything or (team_id is not None and team_id in self.team_ids)


OPERATORS = Audience(everything=True)
NOBODY = Audience()


def is_platform_operator(user: Any) -> bool:
    """Superusers, holders of `labs.view_all_labs` and members of a platform operators team."""
    return audience_of(user).everything


def audience_of(user: Any) -> Audience:
    """The user's audience, read once per user object (one request, one socket), from the
    cache when no membership or permission changed since it was stored (`_audience_cached`)."""
    audience: Audience | None = getattr(user, AUDIENCE_ATTR, None)
    if audience is None:
        audience = _audience_cached(user)
        if getattr(user, "pk", None) is not None:
            setattr(user, AUDIENCE_ATTR, audience)
    return audience


def _audience_cached(user: Any) -> Audience:
    """The audience of a signed-in user who is not a superuser, kept in the cache under the
    current generation: any change of a team, a membership, a user, a group or a permission
    starts a new one (`audiences_forget`, connected in `labs.apps`), so an audience is never
    read from before such a change; and it expires after `AUDIENCE_TTL` seconds anyway. One cache
    round trip instead of two queries, on every page of a team member."""
    if user is None or not user.is_authenticated or not user.is_active or user.is_superuser:
        return _audience_query(user)
    key = f"{AUDIENCE_KEY}:{user.pk}"
    found = cache.get_many([AUDIENCE_GENERATION, key])
    generation, stored = found.get(AUDIENCE_GENERATION), found.get(key)
    if generation is not None and stored is not None and stored[0] == generation:
        return Audience(everything=stored[1], team_ids=frozenset(stored[2]))
    audience = _audience_query(user)
    if generation is None:
        cache.add(AUDIENCE_GENERATION, uuid.uuid4().hex, None)
    else:
        value = (generation, audience.everything, sorted(audience.team_ids))
        cache.set(key, value, AUDIENCE_TTL)
    return audience


def audiences_forget(**_: Any) -> None:
    """A new generation of cached audiences: now, and again when the change commits (a page
    that read the audience meanwhile, from before the change, stored it under the old one)."""

    def forget() -> None:
        cache.set(AUDIENCE_GENERATION, uuid.uuid4().hex, None)

    forget()
    transaction.on_commit(forget)


def _audience_query(user: Any) -> Audience:
    """One query for a platform operator, two for a team member."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    if user.is_superuser or _operates_platform(user):
        return OPERATORS
    return Audience(
        team_ids=frozenset(Team.objects.filter(members=user).values_list("pk", flat=True))
    )


def _operates_platform(user: Any) -> bool:
    """Holds `labs.view_all_labs` (itself or by a group) or is in a platform operators team."""
    app_label, codename = VIEW_ALL_LABS.split(".")
    held = Permission.objects.filter(codename=codename, content_type__app_label=app_label).filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk"))
    )
    operators = Team.objects.filter(members=OuterRef("pk"), platform_operators=True)
    return User.objects.filter(pk=user.pk).filter(Exists(held) | Exists(operators)).exists()


def audiences_watching() -> list[Audience]:
    """Every audience a user may have: the operators', and each team member's set of teams
    (one query). Live pushes and the per-audience fleet snapshot are made for these."""
    teams_of: dict[int, set[int]] = {}
    memberships = Team.members.through.objects.filter(
        team__platform_operators=False, user__is_active=True
    ).values_list("user_id", "team_id")
    for user_id, team_id in memberships:
        teams_of.setdefault(user_id, set()).add(team_id)
    sets = {frozenset(team_ids) for team_ids in teams_of.values()}
    return [OPERATORS, *(Audience(team_ids=ids) for ids in sorted(sets, key=sorted))]


def visible_lab_instances(audience: Audience) -> QuerySet[LabInstance]:
    """The live lab instances `audience` sees."""
    live = live_lab_instances()
    if audience.everything:
        return live
    return live.filter(lab__team_id__in=sorted(audience.team_ids))


def visible_labs(audience: Audience) -> QuerySet[Lab]:
    """The catalog items `audience` sees."""
    if audience.everything:
        return Lab.objects.all()
    return Lab.objects.filter(team_id__in=sorted(audience.team_ids))


def visible_clusters(audience: Audience) -> QuerySet[Cluster]:
    """Every cluster for operators; for a team, the clusters where it has live labs."""
    if audience.everything:
        return Cluster.objects.all()
    return Cluster.objects.filter(pk__in=visible_lab_instances(audience).values("cluster_id"))


def visible_users(audience: Audience) -> QuerySet[User]:
    """The users `audience` may see named in a list or a choice: every user for platform
    operators; for a team member, the members of their teams."""
    if audience.everything:
        return User.objects.all()
    members = Team.members.through.objects.filter(team_id__in=sorted(audience.team_ids))
    return User.objects.filter(pk__in=members.values("user_id"))


def users_for(user: User) -> QuerySet[User]:
    """The users `user` may see named (`visible_users`), and `user` themself."""
    audience = audience_of(user)
    if audience.everything:
        return User.objects.all()
    return User.objects.filter(Q(pk__in=visible_users(audience).values("pk")) | Q(pk=user.pk))


def lab_instances_for(user: User) -> QuerySet[LabInstance]:
    """The live labs `user` may see: every page, socket and API operation reads through here
    (or through `visible_lab_instances(audience_of(user))`)."""
    return visible_lab_instances(audience_of(user))


def clusters_for(user: User) -> QuerySet[Cluster]:
    """The clusters `user` may see (see `visible_clusters`)."""
    return visible_clusters(audience_of(user))


def live_lab_instances() -> QuerySet[LabInstance]:
    return LabInstance.objects.filter(deleted_at__isnull=True)


def lab_instance_list(audience: Audience) -> QuerySet[LabInstance]:
    # (cluster, namespace) is the unique index: the default order reads 50 rows, sorts none.
    return (
        visible_lab_instances(audience)
        .select_related("cluster", "lab", "lab__team")
        .order_by("cluster_id", "namespace")
    )


#: Worst first, most recent change first (the `labinstance_triage` index).
TRIAGE_ORDER = ("status_rank", "-status_changed_at")


def lab_table_rows(audience: Audience) -> QuerySet[LabInstance, Any]:
    """The labs table's rows (page and live updates) as plain values; the dashboard adds the
    cluster, catalog item and team names.

    Model instances cost as much as the query itself; and without the joins for the names,
    PostgreSQL plans the query in a tenth of the time (the joins come back only to sort by
    a name).
    """
    rows = visible_lab_instances(audience)
    if not audience.everything:
        # The same labs again, by their copy of the team: PostgreSQL then reads one team's labs
        # in triage order from `labinstance_team_triage`, instead of walking every team's labs
        # worst first until it has found a page of this team's (all of another team's failures
        # before the first of a team whose labs are all ready).
        rows = rows.filter(team_id__in=sorted(audience.team_ids))
    return (
        rows.alias(status_rank=status_rank())
        .order_by(*TRIAGE_ORDER)
        .values(
            "pk",
            "namespace",
            "guid",
            "status",
            "failure_class",
            "status_changed_at",
            "cluster_id",
            "lab_id",
        )
    )


def lab_names(
    audience: Audience, ids: Iterable[int] | None = None
) -> dict[int, tuple[str, str | None]]:
    """{lab id: (catalog item, team name or None)}, of every catalog item `audience` sees or of
    those of `ids`."""
    labs = visible_labs(audience)
    if ids is not None:
        labs = labs.filter(pk__in=list(ids))
    rows = labs.values_list("pk", "catalog_item", "team__name")
    return {pk: (item, team) for pk, item, team in rows}


def cluster_names(ids: Iterable[int] | None = None) -> dict[int, str]:
    """{cluster id: name}, of every cluster or of `ids`."""
    clusters = Cluster.objects.all() if ids is None else Cluster.objects.filter(pk__in=list(ids))
    return dict(clusters.values_list("pk", "name"))


def lab_instances_by_ids(ids: Iterable[int]) -> list[LabInstance]:
    """Every live lab instance of `ids`, whoever sees it (the broadcasts sort them by team)."""
    return list(lab_instance_list(OPERATORS).filter(pk__in=list(ids)))


def cluster_list_with_counts(audience: Audience) -> QuerySet[Cluster]:
    """Visible clusters, with the counts of the live labs `audience` sees on each."""
    live = Q(lab_instances__deleted_at__isnull=True)
    if not audience.everything:
        live &= Q(lab_instances__lab__team_id__in=sorted(audience.team_ids))
    by_status = {
        f"labs_{status}": Count("lab_instances", filter=live & Q(lab_instances__status=status))
        for status in Status.values
    }  # every status: a label leaving one out hides labs (60 labs, "4 ready, 3 failed")
    return visible_clusters(audience).annotate(
        labs_total=Count("lab_instances", filter=live), **by_status
    )


def cluster_list_only(*fields: str) -> QuerySet[Cluster]:
    """Every cluster, loading only `fields`."""
    return Cluster.objects.only(*fields)


def lab_count_groups(audience: Audience) -> list[LabCountGroup]:
    """The live lab instances `audience` sees, counted by cluster, status and failure class,
    in one grouped query."""
    rows = (
        visible_lab_instances(audience)
        .values_list("cluster_id", "status", "failure_class")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [LabCountGroup(*row) for row in rows]


def config_changes_seen(user: Any) -> Q | None:
    """The configuration changes (`stargate.configaudit`) of the catalog items and clusters
    `user` sees; None for platform operators, who see every change."""
    audience = audience_of(user)
    if audience.everything:
        return None
    labs = [str(pk) for pk in visible_labs(audience).values_list("pk", flat=True)]
    clusters = [str(pk) for pk in visible_clusters(audience).values_list("pk", flat=True)]
    return Q(model="labs.lab", object_id__in=labs) | Q(model="labs.cluster", object_id__in=clusters)
