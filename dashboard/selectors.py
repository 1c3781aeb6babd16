"""Read queries for the dashboard pages, the tables and the live fragments, over the other apps'
selectors (labs, scanning, rubrics_app).

Each page runs a fixed number of queries whatever the fleet size: counts are aggregated in the
database, lists are sliced, and rows come with the `select_related` their columns need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dashboard import triage
from labs import selectors as lab_selectors
from labs.models import Cluster, LabInstance, Status
from rubrics_app import selectors as rubric_selectors
from scanning import selectors as scan_selectors

if TYPE_CHECKING:
    from dashboard.fleet import ClusterLabCounts, FleetCounts
    from rubrics_app.models import Evaluation, StateChange

RECENT_CHANGES = 15
CLUSTER_CARD_FIELDS = ("name", "reachable", "last_error", "last_seen_at")
COUNTABLE_FILTERS = frozenset({"cluster", "status", "failure_class"})


@dataclass(frozen=True, slots=True)
class ClusterCard:
    """A cluster row of the fleet overview."""

    cluster: Cluster
    labs: ClusterLabCounts
    nodes: dict[str, Any] | None  # `scanning.selectors.node_totals_by_cluster`
    scans: list[dict[str, Any]]  # `scanning.selectors.last_scans_by_cluster`


def lab_table_rows_by_ids(ids: Iterable[int], counts: FleetCounts) -> list[dict[str, Any]]:
    rows = list(lab_selectors.lab_table_rows().filter(pk__in=list(ids)))
    return lab_table_rows_name(rows, counts)


def lab_table_rows_name(rows: list[dict[str, Any]], counts: FleetCounts) -> list[dict[str, Any]]:
    """Add `cluster_name`, `catalog_item` and `team_name` to `labs.selectors.lab_table_rows`
    rows, in place, from the fleet counts; names the counts do not know yet (a cluster or catalog
    item newer than them) come from one query each."""
    clusters, labs = counts.cluster_names, counts.labs
    missing_clusters = {row["cluster_id"] for row in rows} - clusters.keys()
    if missing_clusters:
        clusters = {**clusters, **lab_selectors.cluster_names(missing_clusters)}
    missing_labs = {row["lab_id"] for row in rows} - labs.keys()
    if missing_labs:
        labs = {**labs, **lab_selectors.lab_names(missing_labs)}
    for row in rows:
        row["cluster_name"] = clusters.get(row["cluster_id"], "")
        row["catalog_item"], row["team_name"] = labs.get(row["lab_id"], ("", None))
    return rows


def lab_filter_choices(counts: FleetCounts) -> dict[str, dict[str, list[int]]]:
    """The labs table's filter choices from the fleet counts, by filter name: each choice (a
    name, sorted) with the ids it stands for, so that the filters match ids rather than names
    through a join: cluster ids for a cluster, lab ids for a catalog item or a team (teams owning
    no catalog item would match no lab and are left out). Failure classes stand for themselves."""
    items: dict[str, list[int]] = {}
    teams: dict[str, list[int]] = {}
    for pk, (item, team) in counts.labs.items():
        items[item] = [pk]
        if team:
            teams.setdefault(team, []).append(pk)
    clusters = {name: [pk] for pk, name in counts.cluster_names.items()}
    classes: dict[str, list[int]] = {name: [] for name, _ in counts.failure_classes}
    return {
        name: dict(sorted(choices.items()))
        for name, choices in (
            ("cluster", clusters),
            ("catalog_item", items),
            ("failure_class", classes),
            ("team", teams),
        )
    }


def lab_count_from_fleet_counts(counts: FleetCounts, filters: dict[str, Any]) -> int | None:
    """The number of labs matching `filters` (the filter form's cleaned data), read from the cached
    fleet counts, or None when a filter is not among their groups (search, catalog item, team).

    Spares the labs table a `COUNT(*)` over the fleet for its most common views: all labs, one
    cluster, one status, one failure class.
    """
    wanted = {name: value for name, value in filters.items() if value}
    if not wanted.keys() <= COUNTABLE_FILTERS:
        return None
    names = counts.cluster_names
    return sum(
        group.n
        for group in counts.groups
        if wanted.get("cluster", names.get(group.cluster_id)) == names.get(group.cluster_id)
        and wanted.get("status", group.status) == group.status
        and wanted.get("failure_class", group.failure_class) == group.failure_class
    )


def recent_changes(limit: int = RECENT_CHANGES) -> list[StateChange]:
    """The fleet's latest lab-level status changes (the rubric engine's StateChange rows)."""
    fields = ("lab_instance__namespace", "lab_instance__cluster__name")
    changes = rubric_selectors.state_changes_latest(limit=limit, lab_level_only=True)
    return list(changes.only("from_status", "to_status", "failure_class", "at", *fields))


def cluster_cards(counts: FleetCounts) -> list[ClusterCard]:
    """One card per cluster: the cluster, its lab counts, node totals and last scans."""
    nodes = scan_selectors.node_totals_by_cluster()
    scans = scan_selectors.last_scans_by_cluster()
    return [
        ClusterCard(
            cluster=cluster,
            labs=counts.cluster(cluster.pk),
            nodes=nodes.get(cluster.pk),
            scans=scans.get(cluster.pk, []),
        )
        for cluster in lab_selectors.cluster_list_only(*CLUSTER_CARD_FIELDS)
    ]


def cluster_detail_context(cluster: Cluster) -> dict[str, Any]:
    return {
        "cluster": cluster,
        "nodes": scan_selectors.cluster_nodes(cluster),
        "scan_runs": scan_selectors.cluster_scan_runs(cluster),
    }


def lab_detail_context(instance: LabInstance) -> dict[str, Any]:
    stored = rubric_selectors.lab_instance_evaluations(lab_instance=instance)
    evaluations = triage.evaluations_worst_first(stored, rubric_selectors.rubric_positions())
    timeline = list(rubric_selectors.lab_instance_timeline(lab_instance=instance)[:50])
    conditions = rubric_selectors.cluster_conditions(evaluations)
    cause = triage.lab_cause(
        status=instance.status, failure_class=instance.failure_class, ordered=evaluations,
        timeline=timeline, classes=rubric_selectors.failure_class_catalog(),
        cluster_level={e.rubric_id for e in conditions},
        status_changed_at=instance.status_changed_at,
    )  # fmt: skip
    return {
        "instance": instance,
        "evaluations": evaluations,
        "timeline": timeline,
        "recommended_actions": recommended_actions(evaluations),
        "cluster_conditions": conditions,
        "cause": cause,
    }


def recommended_actions(evaluations: list[Evaluation]) -> list[Evaluation]:
    """The rubric verdicts that recommend an action (the remediation catalog's action ids)."""
    return [e for e in evaluations if e.recommended_action and e.outcome != Status.READY]
