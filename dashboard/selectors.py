"""Read queries for the dashboard pages, the tables and the live fragments, over the other apps'
selectors (labs, scanning, rubrics_app).

Each page runs a fixed number of queries whatever the fleet size: counts are aggregated in the
database, lists are sliced, and rows come with the `select_related` their columns need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dashboard import charts, triage
from labs import selectors as lab_selectors
from labs.models import Cluster, LabInstance, Status, status_rank
from labs.selectors import Audience
from rubrics_app import selectors as rubric_selectors
from scanning import selectors as scan_selectors

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from dashboard.fleet import ClusterLabCounts, FleetCounts
    from rubrics_app.models import Evaluation, StateChange
    from rubrics_app.selectors import FailureClassDef

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


def lab_table_rows_by_ids(
    ids: Iterable[int], counts: FleetCounts, audience: Audience
) -> list[dict[str, Any]]:
    rows = list(lab_selectors.lab_table_rows(audience).filter(pk__in=list(ids)))
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
        labs = {**labs, **lab_selectors.lab_names(lab_selectors.OPERATORS, missing_labs)}
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


def recent_changes(audience: Audience, limit: int = RECENT_CHANGES) -> list[StateChange]:
    """The latest lab-level status changes (the rubric engine's StateChange rows) of the labs
    `audience` sees."""
    fields = ("lab_instance__namespace", "lab_instance__cluster__name")
    team_ids = None if audience.everything else audience.team_ids
    changes = rubric_selectors.state_changes_latest(
        limit=limit, lab_level_only=True, team_ids=team_ids
    )
    return list(changes.only("from_status", "to_status", "failure_class", "at", *fields))


def cluster_cards(
    counts: FleetCounts, audience: Audience, nodes: dict[int, dict[str, Any]]
) -> list[ClusterCard]:
    """One card per visible cluster: the cluster, its lab counts (of the labs `audience`
    sees), node totals (`nodes`, from `scanning.selectors.node_overview_by_cluster`) and last
    scans."""
    scans = scan_selectors.last_scans_by_cluster()
    clusters = lab_selectors.cluster_list_only(*CLUSTER_CARD_FIELDS)
    if not audience.everything:
        clusters = clusters.filter(pk__in=list(counts.cluster_names))
    return [
        ClusterCard(
            cluster=cluster,
            labs=counts.cluster(cluster.pk),
            nodes=nodes.get(cluster.pk),
            scans=scans.get(cluster.pk, []),
        )
        for cluster in clusters
    ]


def cluster_detail_context(cluster: Cluster, audience: Audience) -> dict[str, Any]:
    """The cluster page. Scan runs' figures count every team's labs (namespaces, objects,
    errors naming namespaces): the page shows them to platform operators only."""
    threshold = rubric_selectors.capacity_threshold_pct()
    nodes = scan_selectors.cluster_nodes(cluster)
    return {
        "cluster": cluster,
        "fleet_figures": audience.everything,
        "status_counts": [
            (status, getattr(cluster, f"labs_{status}", 0)) for status in Status.values
        ],
        "nodes": [(node, scan_selectors.node_conditions(node, threshold)) for node in nodes],
        "threshold_pct": threshold,
        "scan_runs": scan_selectors.cluster_scan_runs(cluster),
    }


def lab_detail_context(instance: LabInstance) -> dict[str, Any]:
    stored = rubric_selectors.lab_instance_evaluations(lab_instance=instance)
    evaluations = triage.evaluations_worst_first(stored, rubric_selectors.rubric_positions())
    timeline = list(rubric_selectors.lab_instance_timeline(lab_instance=instance)[:50])
    conditions = rubric_selectors.cluster_conditions(evaluations)
    cause = triage.lab_cause(
        status=instance.status,
        failure_class=instance.failure_class,
        ordered=evaluations,
        timeline=timeline,
        classes=rubric_selectors.failure_class_catalog(),
        cluster_level={e.rubric_id for e in conditions},
        status_changed_at=instance.status_changed_at,
    )
    return {
        "instance": instance,
        "evaluations": evaluations,
        "timeline": timeline,
        "recommended_actions": recommended_actions(evaluations),
        "cluster_conditions": conditions,
        "cause": cause,
        "status_strip": charts.lab_status_strip(instance, evaluations),
    }


def lab_detail_diagnosis(instance: LabInstance) -> dict[str, Any]:
    """The page's (not the live fragments') differences with healthy siblings (one query; the
    investigation panel loads itself: `rubrics:lab_investigation`)."""
    return {"siblings": rubric_selectors.sibling_comparison(instance)}


def recommended_actions(evaluations: list[Evaluation]) -> list[Evaluation]:
    """The rubric verdicts that recommend an action (the remediation catalog's action ids)."""
    return [e for e in evaluations if e.recommended_action and e.outcome != Status.READY]


@dataclass(frozen=True, slots=True)
class ClusterCondition:
    """A cluster-level condition, shown once per cluster rather than once per lab it touches."""

    cluster_name: str
    nodes: list[str]  # "node worker-2 NotReady", "node worker-1 CPU 97% (over 90%)"
    classes: list[tuple[str, str, int, dict[str, int]]]  # (class, code, labs, {outcome: labs})
    labs: int  # labs a cluster-level rubric finds not ready


def cluster_conditions(counts: FleetCounts, nodes: dict[int, list[str]]) -> list[ClusterCondition]:
    """Every cluster with a node condition (`nodes`, from `scanning.selectors.
    node_overview_by_cluster`) or a cluster-level finding (one query)."""
    groups = rubric_selectors.cluster_condition_groups(lab_selectors.live_lab_instances())
    catalog = rubric_selectors.failure_class_catalog()
    by_cluster: dict[int, dict[str, dict[str, int]]] = {}
    for group in groups:
        outcomes = by_cluster.setdefault(group.cluster_id, {}).setdefault(group.failure_class, {})
        outcomes[group.outcome] = outcomes.get(group.outcome, 0) + group.n
    found = []
    for pk in sorted(
        nodes.keys() | by_cluster.keys(), key=lambda pk: counts.cluster_names.get(pk, "")
    ):
        classes = by_cluster.get(pk, {})
        found.append(
            ClusterCondition(
                cluster_name=counts.cluster_names.get(pk) or lab_selectors.cluster_names([pk])[pk],
                nodes=nodes.get(pk, []),
                classes=[
                    (
                        cls,
                        catalog[cls].code if cls in catalog else "",
                        sum(outcomes.values()),
                        outcomes,
                    )
                    for cls, outcomes in classes.items()
                ],
                labs=sum(sum(outcomes.values()) for outcomes in classes.values()),
            )
        )
    return found


def class_rankings(counts: FleetCounts) -> dict[str, list[tuple[str, int]]]:
    """Lab failure classes ranked apart: of FAILED labs, and of WARN ones (most labs first)."""
    ranked: dict[str, dict[str, int]] = {Status.FAILED: {}, Status.WARN: {}}
    for group in counts.groups:
        if group.failure_class and group.status in ranked:
            by_class = ranked[group.status]
            by_class[group.failure_class] = by_class.get(group.failure_class, 0) + group.n
    return {
        str(status): sorted(by_class.items(), key=lambda item: (-item[1], item[0]))
        for status, by_class in ranked.items()
    }


CLASS_PAGE_LABS = 50


def failure_class_by_code(code: str) -> FailureClassDef | None:
    """A failure class by its code (`SG-030`) or its id (`crashloop`)."""
    for found in rubric_selectors.failure_class_catalog().values():
        if code in (found.code, found.id):
            return found
    return None


def failure_class_labs(
    lab_instances: QuerySet[LabInstance], failure_class: str, cluster: str = ""
) -> list[LabInstance]:
    """The labs with a not-ready verdict of `failure_class` (a lab-level class or a cluster
    condition), worst first and most recent change first, `CLASS_PAGE_LABS` at most."""
    labs = lab_instances.filter(
        evaluations__failure_class=failure_class,
        evaluations__outcome__in=[s for s in Status.values if s != Status.READY],
    )
    if cluster:
        labs = labs.filter(cluster__name=cluster)
    labs = labs.alias(status_rank=status_rank()).order_by(*lab_selectors.TRIAGE_ORDER, "pk")
    return list(labs.select_related("cluster", "lab").distinct()[:CLASS_PAGE_LABS])
