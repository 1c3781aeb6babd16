"""The fleet snapshot: lab counts and the fleet overview's parts, computed once per change.

Every fleet overview and labs table view, and every live push, reads it from the cache (Redis in
production, shared by every process). The processes that change what it shows refresh it after
their commit: the broadcast of lab status changes and the end of every scan run (reachability,
nodes, last scans, labs found or torn down), both through `dashboard.live`. A page view computes
it only when the cache has none; the lifetime bounds what no writer announces (an admin's edit).

Readers store what they compute with `cache.add`, writers with `cache.set`: a reader's snapshot
may predate a writer's commit, and must not replace the writer's newer one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from dashboard import selectors
from labs import selectors as lab_selectors
from labs.models import Status
from labs.selectors import Audience, LabCountGroup
from rubrics_app import selectors as rubric_selectors
from scanning import selectors as scan_selectors

# The key names the shape: a snapshot cached by an older release (a dict) is never read as one.
# One snapshot per audience (`labs.selectors.Audience.key`): a team's counts are its labs'.
FLEET_COUNTS_KEY = "dashboard:fleet-counts:v4:"
FLEET_PARTS_KEY = "dashboard:fleet-parts:v4:"
FLEET_SECONDS = 30
FLEET_TEMPLATE = "dashboard/fleet_overview.html"


@dataclass(frozen=True, slots=True)
class ClusterLabCounts:
    """One cluster's live labs: all of them, the failed and the ready ones."""

    total: int = 0
    failed: int = 0
    ready: int = 0


NO_LABS = ClusterLabCounts()


@dataclass(frozen=True, slots=True)
class FleetCounts:
    """Live labs counted by status, failure class and cluster, with the names the labs table
    shows for ids (so that its rows need no join)."""

    status: dict[str, int]  # every status, 0 when none
    failure_classes: list[tuple[str, int]]  # most labs first, then by name
    clusters: dict[int, ClusterLabCounts]  # by cluster id; clusters without labs are absent
    cluster_names: dict[int, str]  # by cluster id, every cluster
    labs: dict[int, tuple[str, str | None]]  # by lab id: (catalog item, team name or None)
    groups: list[LabCountGroup] = field(default_factory=list)  # the grouped query's rows

    def cluster(self, cluster_id: int) -> ClusterLabCounts:
        return self.clusters.get(cluster_id, NO_LABS)


@dataclass(frozen=True, slots=True)
class FleetParts:
    """The fleet overview's parts as HTML. Each carries `hx-swap-oob="true"`: the same HTML
    serves the page (where htmx ignores the attribute) and the live push (where it swaps the
    element with the same id)."""

    status_counters: SafeString
    cluster_table: SafeString
    failure_classes: SafeString
    recent_changes: SafeString
    cluster_conditions: SafeString

    def context(self) -> dict[str, SafeString]:
        """The parts by name, as the fleet overview template reads them."""
        return {name: getattr(self, name) for name in self.__slots__}

    def html(self) -> str:
        """Every part, as one live push."""
        return "\n".join(getattr(self, name) for name in self.__slots__)


@dataclass(frozen=True, slots=True)
class FleetSnapshot:
    counts: FleetCounts
    parts: FleetParts


def fleet_counts_query(audience: Audience) -> FleetCounts:
    """Compute `audience`'s counts (one grouped query, and the names); `fleet_counts` caches
    them. A team's counts, clusters and names are those of its labs only."""
    groups = lab_selectors.lab_count_groups(audience)
    by_status = dict.fromkeys(Status.values, 0)
    by_class: dict[str, int] = {}
    by_cluster: dict[int, dict[str, int]] = {}
    for group in groups:
        by_status[group.status] = by_status.get(group.status, 0) + group.n
        if group.failure_class:
            by_class[group.failure_class] = by_class.get(group.failure_class, 0) + group.n
        cluster = by_cluster.setdefault(group.cluster_id, {"total": 0, "failed": 0, "ready": 0})
        cluster["total"] += group.n
        if group.status in (Status.FAILED, Status.READY):
            cluster[str(group.status)] += group.n
    return FleetCounts(
        status=by_status,
        failure_classes=sorted(by_class.items(), key=lambda item: (-item[1], item[0])),
        clusters={pk: ClusterLabCounts(**counts) for pk, counts in by_cluster.items()},
        cluster_names=lab_selectors.cluster_names(
            None if audience.everything else by_cluster.keys()
        ),
        labs=lab_selectors.lab_names(audience),
        groups=groups,
    )


def fleet_counts(audience: Audience) -> FleetCounts:
    """`audience`'s cached counts, computed when the cache has none."""
    counts: FleetCounts | None = cache.get(FLEET_COUNTS_KEY + audience.key)
    if counts is None:
        counts = fleet_counts_query(audience)
        cache.add(FLEET_COUNTS_KEY + audience.key, counts, FLEET_SECONDS)
    return counts


def fleet_parts(audience: Audience) -> FleetParts:
    """`audience`'s cached fleet overview parts, rendered when the cache has none."""
    parts: FleetParts | None = cache.get(FLEET_PARTS_KEY + audience.key)
    if parts is None:
        parts = _parts_render(fleet_counts(audience), audience)
        cache.add(FLEET_PARTS_KEY + audience.key, parts, FLEET_SECONDS)
    return parts


def fleet_refresh(audience: Audience) -> FleetSnapshot:
    """Compute `audience`'s snapshot anew and store it; call with committed state."""
    counts = fleet_counts_query(audience)
    parts = _parts_render(counts, audience)
    keys = {FLEET_COUNTS_KEY + audience.key: counts, FLEET_PARTS_KEY + audience.key: parts}
    cache.set_many(keys, FLEET_SECONDS)
    return FleetSnapshot(counts, parts)


def fleet_forget() -> None:
    """Drop every audience's snapshot (tests; a team's members changed)."""
    keys = [k for a in lab_selectors.audiences_watching() for k in _keys(a)]
    cache.delete_many(keys)


def _keys(audience: Audience) -> list[str]:
    return [FLEET_COUNTS_KEY + audience.key, FLEET_PARTS_KEY + audience.key]


def _parts_render(counts: FleetCounts, audience: Audience) -> FleetParts:
    threshold = rubric_selectors.capacity_threshold_pct()
    node_totals, node_conditions = scan_selectors.node_overview_by_cluster(threshold)
    # Node conditions only of the clusters where the audience has labs.
    node_conditions = {pk: c for pk, c in node_conditions.items() if pk in counts.cluster_names}
    context = {
        "clusters": selectors.cluster_cards(counts, audience, node_totals),
        "status_counts": counts.status,
        "failure_class_counts": counts.failure_classes,
        "class_rankings": selectors.class_rankings(counts),
        "ranked_titles": ((Status.FAILED, "Lab failures"), (Status.WARN, "Warnings")),
        "cluster_conditions": selectors.cluster_conditions(counts, node_conditions),
        "class_codes": {
            cls.id: cls.code for cls in rubric_selectors.failure_class_catalog().values()
        },
        "recent_changes": selectors.recent_changes(audience),
        "statuses": Status,
    }
    return FleetParts(
        *(
            render_to_string(f"{FLEET_TEMPLATE}#{name}", context)
            for name in (
                "status-counters",
                "cluster-table",
                "failure-classes",
                "recent-changes",
                "cluster-conditions",
            )
        )
    )
