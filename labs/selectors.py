"""Read queries for the dashboard pages, the tables and the live fragments.

Each page runs a fixed number of queries whatever the fleet size: counts are aggregated in the
database, lists are sliced, and rows come with the `select_related` their columns need.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum

from labs.models import Cluster, Lab, LabInstance, Status
from rubrics_app import selectors as rubric_selectors
from rubrics_app.models import Evaluation, StateChange
from rubrics_app.selectors import state_changes_latest
from scanning.models import NodeSnapshot, ScanRun

RECENT_CHANGES = 15


def live_lab_instances() -> QuerySet[LabInstance]:
    return LabInstance.objects.filter(deleted_at__isnull=True)


def lab_instance_list() -> QuerySet[LabInstance]:
    # (cluster, namespace) is the unique index: the default order reads 50 rows, sorts none.
    return (
        live_lab_instances()
        .select_related("cluster", "lab", "lab__team")
        .order_by("cluster_id", "namespace")
    )


def lab_table_rows() -> QuerySet[LabInstance, Any]:
    """The labs table's rows (page and live updates) as plain values, for the `lab_row` tag;
    `lab_table_rows_name` adds the cluster, catalog item and team names.

    Model instances cost as much as the query itself; and without the joins for the names,
    PostgreSQL plans the query in a tenth of the time (the joins come back only to sort by
    a name).
    """
    return (
        live_lab_instances()
        .order_by("cluster_id", "namespace")
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


def lab_table_rows_by_ids(ids: Iterable[int], counts: dict[str, Any]) -> list[dict[str, Any]]:
    return lab_table_rows_name(list(lab_table_rows().filter(pk__in=list(ids))), counts)


def lab_table_rows_name(rows: list[dict[str, Any]], counts: dict[str, Any]) -> list[dict[str, Any]]:
    """Add `cluster_name`, `catalog_item` and `team_name` to `lab_table_rows` rows, in place,
    from the fleet counts (`counts`); names the counts do not know yet (a cluster or catalog
    item newer than them) come from one query each."""
    clusters: dict[int, str] = counts["cluster_names"]
    labs: dict[int, tuple[str, str | None]] = counts["labs"]
    missing_clusters = {row["cluster_id"] for row in rows} - clusters.keys()
    if missing_clusters:
        found = Cluster.objects.filter(pk__in=missing_clusters).values_list("pk", "name")
        clusters = {**clusters, **dict(found)}
    missing_labs = {row["lab_id"] for row in rows} - labs.keys()
    if missing_labs:
        labs = {**labs, **lab_names(Lab.objects.filter(pk__in=missing_labs))}
    for row in rows:
        row["cluster_name"] = clusters.get(row["cluster_id"], "")
        row["catalog_item"], row["team_name"] = labs.get(row["lab_id"], ("", None))
    return rows


def lab_names(labs: QuerySet[Lab]) -> dict[int, tuple[str, str | None]]:
    """{lab id: (catalog item, team name or None)}."""
    rows = labs.values_list("pk", "catalog_item", "team__name")
    return {pk: (item, team) for pk, item, team in rows}


def lab_instances_by_ids(ids: Iterable[int]) -> list[LabInstance]:
    return list(lab_instance_list().filter(pk__in=list(ids)))


def cluster_list_with_counts() -> QuerySet[Cluster]:
    live = Q(lab_instances__deleted_at__isnull=True)
    return Cluster.objects.annotate(
        labs_total=Count("lab_instances", filter=live),
        labs_failed=Count("lab_instances", filter=live & Q(lab_instances__status=Status.FAILED)),
        labs_ready=Count("lab_instances", filter=live & Q(lab_instances__status=Status.READY)),
    )


def fleet_counts_query() -> dict[str, Any]:
    """Labs by status, by failure class and by cluster, from one grouped query (read through
    `dashboard.fleet.fleet_counts`, which caches it)."""
    rows = list(
        live_lab_instances()
        .values_list("cluster_id", "status", "failure_class")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_status = dict.fromkeys(Status.values, 0)
    by_class: dict[str, int] = {}
    by_cluster: dict[int, dict[str, int]] = {}
    for cluster_id, status, failure_class, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        if failure_class:
            by_class[failure_class] = by_class.get(failure_class, 0) + n
        cluster = by_cluster.setdefault(cluster_id, {"total": 0, "failed": 0, "ready": 0})
        cluster["total"] += n
        if status in (Status.FAILED, Status.READY):
            cluster[str(status)] += n
    classes = sorted(by_class.items(), key=lambda item: (-item[1], item[0]))
    return {
        "status": by_status,
        "failure_classes": classes,
        "clusters": by_cluster,
        "cluster_names": dict(Cluster.objects.values_list("pk", "name")),
        "labs": lab_names(Lab.objects.all()),
        "groups": rows,
    }


def lab_filter_choices(counts: dict[str, Any]) -> dict[str, dict[str, list[int]]]:
    """The labs table's filter choices from the fleet counts (`counts`), by filter name: each
    choice (a name, sorted) with the ids it stands for, so that the filters match ids rather than
    names through a join: cluster ids for a cluster, lab ids for a catalog item or a team (teams
    owning no catalog item would match no lab and are left out). Failure classes stand for
    themselves."""
    items: dict[str, list[int]] = {}
    teams: dict[str, list[int]] = {}
    for pk, (item, team) in counts["labs"].items():
        items[item] = [pk]
        if team:
            teams.setdefault(team, []).append(pk)
    clusters = {name: [pk] for pk, name in counts["cluster_names"].items()}
    classes: dict[str, list[int]] = {name: [] for name, _ in counts["failure_classes"]}
    return {
        name: dict(sorted(choices.items()))
        for name, choices in (
            ("cluster", clusters),
            ("catalog_item", items),
            ("failure_class", classes),
            ("team", teams),
        )
    }


COUNTABLE_FILTERS = frozenset({"cluster", "status", "failure_class"})


def lab_count_from_fleet_counts(counts: dict[str, Any], filters: dict[str, Any]) -> int | None:
    """The number of labs matching `filters` (the filter form's cleaned data), read from the cached
    fleet counts, or None when a filter is not among their groups (search, catalog item, team).

    Spares the labs table a `COUNT(*)` over the fleet for its most common views: all labs, one
    cluster, one status, one failure class.
    """
    wanted = {name: value for name, value in filters.items() if value}
    if not wanted.keys() <= COUNTABLE_FILTERS:
        return None
    names = counts["cluster_names"]
    return sum(
        int(n)
        for cluster_id, status, failure_class, n in counts["groups"]
        if wanted.get("cluster", names.get(cluster_id)) == names.get(cluster_id)
        and wanted.get("status", status) == status
        and wanted.get("failure_class", failure_class) == failure_class
    )


def recent_changes(limit: int = RECENT_CHANGES) -> list[StateChange]:
    """The fleet's latest lab-level status changes (the rubric engine's StateChange rows)."""
    fields = ("lab_instance__namespace", "lab_instance__cluster__name")
    changes = state_changes_latest(limit=limit, lab_level_only=True)
    return list(changes.only("from_status", "to_status", "failure_class", "at", *fields))


def lab_instance_timeline(instance: LabInstance, limit: int = 50) -> list[StateChange]:
    return list(rubric_selectors.lab_instance_timeline(lab_instance=instance)[:limit])


def lab_instance_evaluations(instance: LabInstance) -> list[Evaluation]:
    return list(rubric_selectors.lab_instance_evaluations(lab_instance=instance))


def cluster_scan_runs(cluster: Cluster, limit: int = 20) -> list[ScanRun]:
    return list(ScanRun.objects.filter(cluster=cluster).order_by("-started_at")[:limit])


def cluster_nodes(cluster: Cluster) -> list[NodeSnapshot]:
    return list(NodeSnapshot.objects.filter(cluster=cluster).order_by("name"))


def last_scans_by_cluster() -> dict[int, list[dict[str, Any]]]:
    """{cluster id: [{tier, at}, ...]}: when each tier last started a scan, tier order."""
    rows = (
        ScanRun.objects.values("cluster_id", "tier")
        .annotate(at=Max("started_at"))
        .order_by("cluster_id", "tier")
    )
    scans: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        scans.setdefault(row["cluster_id"], []).append({"tier": row["tier"], "at": row["at"]})
    return scans


def node_totals_by_cluster() -> dict[int, dict[str, Any]]:
    """{cluster id: nodes total/ready and CPU/memory use in %} from the latest node snapshots."""
    rows = (
        NodeSnapshot.objects.values("cluster_id")
        .annotate(
            total=Count("id"),
            ready=Count("id", filter=Q(ready=True)),
            cpu_used=Sum("cpu_used_millicores"),
            cpu_all=Sum("cpu_allocatable_millicores"),
            mem_used=Sum("memory_used_bytes"),
            mem_all=Sum("memory_allocatable_bytes"),
        )
        .order_by()
    )
    return {
        row["cluster_id"]: {
            "total": row["total"],
            "ready": row["ready"],
            "cpu_pct": percent(row["cpu_used"], row["cpu_all"]),
            "memory_pct": percent(row["mem_used"], row["mem_all"]),
        }
        for row in rows
    }


def percent(used: int | None, total: int | None) -> float | None:
    return round(100.0 * used / total, 1) if used is not None and total else None


CLUSTER_CARD_FIELDS = ("name", "reachable", "last_error", "last_seen_at")


def cluster_cards(counts: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per cluster: the cluster, its lab counts, node totals and last scans.
    `counts`: `dashboard.fleet.fleet_counts()`."""
    nodes, scans = node_totals_by_cluster(), last_scans_by_cluster()
    labs = counts["clusters"]
    empty = {"total": 0, "failed": 0, "ready": 0}
    return [
        {
            "cluster": cluster,
            "labs": labs.get(cluster.pk, empty),
            "nodes": nodes.get(cluster.pk),
            "scans": scans.get(cluster.pk, []),
        }
        for cluster in Cluster.objects.only(*CLUSTER_CARD_FIELDS)
    ]


def lab_detail_context(instance: LabInstance) -> dict[str, Any]:
    evaluations = lab_instance_evaluations(instance)
    return {
        "instance": instance,
        "evaluations": evaluations,
        "timeline": lab_instance_timeline(instance),
        "recommended_actions": recommended_actions(evaluations),
        "cluster_conditions": rubric_selectors.cluster_conditions(evaluations),
    }


def recommended_actions(evaluations: list[Evaluation]) -> list[Evaluation]:
    """The rubric verdicts that recommend an action (the remediation catalog's action ids)."""
    return [e for e in evaluations if e.recommended_action and e.outcome != Status.READY]
