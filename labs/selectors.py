"""Read queries over the domain: clusters, catalog items, teams and lab instances.

Only `labs` models are read here; pages that combine them with scans and verdicts read them
through `dashboard.selectors`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet

from labs.models import Cluster, Lab, LabInstance, Status, status_rank


class LabCountGroup(NamedTuple):
    """Live lab instances of one (cluster, status, failure class)."""

    cluster_id: int
    status: str
    failure_class: str
    n: int


def lab_instances_for(user: User) -> QuerySet[LabInstance]:
    """The live labs `user` may see (the API reads through here): every one, for now; team
    scoping narrows it here."""
    return live_lab_instances()


def clusters_for(user: User) -> QuerySet[Cluster]:
    """The clusters `user` may see (the API reads through here): every one, for now."""
    return Cluster.objects.all()


def live_lab_instances() -> QuerySet[LabInstance]:
    return LabInstance.objects.filter(deleted_at__isnull=True)


def lab_instance_list() -> QuerySet[LabInstance]:
    # (cluster, namespace) is the unique index: the default order reads 50 rows, sorts none.
    return (
        live_lab_instances()
        .select_related("cluster", "lab", "lab__team")
        .order_by("cluster_id", "namespace")
    )


#: Worst first, most recent change first (the `labinstance_triage` index).
TRIAGE_ORDER = ("status_rank", "-status_changed_at")


def lab_table_rows() -> QuerySet[LabInstance, Any]:
    """The labs table's rows (page and live updates) as plain values; the dashboard adds the
    cluster, catalog item and team names.

    Model instances cost as much as the query itself; and without the joins for the names,
    PostgreSQL plans the query in a tenth of the time (the joins come back only to sort by
    a name).
    """
    return (
        live_lab_instances()
        .alias(status_rank=status_rank())
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


def lab_names(ids: Iterable[int] | None = None) -> dict[int, tuple[str, str | None]]:
    """{lab id: (catalog item, team name or None)}, of every catalog item or of `ids`."""
    labs = Lab.objects.all() if ids is None else Lab.objects.filter(pk__in=list(ids))
    rows = labs.values_list("pk", "catalog_item", "team__name")
    return {pk: (item, team) for pk, item, team in rows}


def cluster_names(ids: Iterable[int] | None = None) -> dict[int, str]:
    """{cluster id: name}, of every cluster or of `ids`."""
    clusters = Cluster.objects.all() if ids is None else Cluster.objects.filter(pk__in=list(ids))
    return dict(clusters.values_list("pk", "name"))


def lab_instances_by_ids(ids: Iterable[int]) -> list[LabInstance]:
    return list(lab_instance_list().filter(pk__in=list(ids)))


def cluster_list_with_counts() -> QuerySet[Cluster]:
    live = Q(lab_instances__deleted_at__isnull=True)
    by_status = {
        f"labs_{status}": Count("lab_instances", filter=live & Q(lab_instances__status=status))
        for status in Status.values
    }  # every status: a label leaving one out hides labs (60 labs, "4 ready, 3 failed")
    return Cluster.objects.annotate(labs_total=Count("lab_instances", filter=live), **by_status)


def cluster_list_only(*fields: str) -> QuerySet[Cluster]:
    """Every cluster, loading only `fields`."""
    return Cluster.objects.only(*fields)


def lab_count_groups() -> list[LabCountGroup]:
    """Live lab instances counted by cluster, status and failure class, in one grouped query."""
    rows = (
        live_lab_instances()
        .values_list("cluster_id", "status", "failure_class")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [LabCountGroup(*row) for row in rows]
