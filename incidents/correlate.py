"""Grouping failures by root cause: pure functions over what is failing now.

Rules, most specific first; a lab joins the first group that takes it:
1. its cluster is unreachable (every live lab of the cluster);
2. it runs on a node that is NotReady or under pressure (two labs or more on that node);
3. a storage failure on the same storage class of one cluster (two labs or more);
4. the same class on `platform_clusters` clusters or more: a platform incident (systemic);
5. the same catalog item failing with the same class on two clusters or more;
6. the same class on one cluster, on at least K labs or P % of its labs (at least two),
   first seen within the window.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

STORAGE_RUBRIC = "storage-clone-ready"
STORAGE_CLASSES = frozenset(
    {
        "datavolume-failed",
        "datavolume-paused",
        "storage-clone-stalled",
        "pvc-lost",
        "pvc-provisioning-failed",
        "pvc-pending-timeout",
        "vm-storage-error",
    }
)
K = TypeVar("K")
SYSTEMIC_SHARE = 0.20  # a group holding more than this share of its cluster's labs is systemic


@dataclass(frozen=True)
class Failing:
    """One lab instance's current failure (its worst open failure record)."""

    lab_instance_id: int
    cluster_id: int
    lab_id: int
    failure_class: str
    rubric_id: str
    detected_at: datetime
    nodes: frozenset[str] = frozenset()
    storage_classes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ClusterFacts:
    cluster_id: int
    name: str
    reachable: bool
    live_lab_ids: tuple[int, ...]
    bad_nodes: frozenset[str] = frozenset()  # NotReady or under pressure


@dataclass(frozen=True)
class Thresholds:
    min_labs: int = 5
    min_percent: int = 20
    platform_clusters: int = 3
    window: timedelta = timedelta(minutes=30)


@dataclass
class Group:
    kind: str  # an Incident.Kind value
    key: str
    title: str
    failure_class: str = ""
    cluster_id: int | None = None
    lab_id: int | None = None
    systemic: bool = False
    members: dict[int, str] = field(default_factory=dict)  # lab instance id → its class

    @property
    def cluster_ids(self) -> set[int]:
        return set() if self.cluster_id is None else {self.cluster_id}


def _main_class(items: Iterable[Failing]) -> str:
    counts = Counter(item.failure_class for item in items if item.failure_class)
    return counts.most_common(1)[0][0] if counts else ""


def _by(items: Iterable[Failing], key: Callable[[Failing], K]) -> dict[K, list[Failing]]:
    grouped: dict[K, list[Failing]] = defaultdict(list)
    for item in items:
        grouped[key(item)].append(item)
    return grouped


def _share(members: int, cluster: ClusterFacts | None) -> float:
    total = len(cluster.live_lab_ids) if cluster else 0
    return members / total if total else 0.0


def groups_find(
    failing: list[Failing],
    clusters: dict[int, ClusterFacts],
    *,
    now: datetime,
    thresholds: Thresholds = Thresholds(),
) -> list[Group]:
    """Every group the rules find, in rule order; each failing lab in one group at most."""
    found: list[Group] = []
    taken: set[int] = set()

    def take(group: Group, items: Iterable[Failing]) -> None:
        group.members = {i.lab_instance_id: i.failure_class for i in items}
        taken.update(group.members)
        found.append(group)

    def free() -> list[Failing]:
        return [item for item in failing if item.lab_instance_id not in taken]

    for cluster in clusters.values():
        if not cluster.reachable:
            group = Group(
                "cluster_unreachable",
                f"unreachable:{cluster.cluster_id}",
                f"Cluster {cluster.name} is unreachable",
                "cluster-unreachable",
                cluster.cluster_id,
                systemic=True,
            )
            found.append(group)
            group.members = dict.fromkeys(cluster.live_lab_ids, "cluster-unreachable")
            taken.update(group.members)
    _node_groups(free(), clusters, take)
    _storage_groups(free(), clusters, take)
    _platform_groups(free(), thresholds, take)
    _catalog_groups(free(), take)
    _cluster_class_groups(free(), clusters, now, thresholds, take)
    return found


Take = Callable[[Group, Iterable[Failing]], None]


def _node_groups(failing: list[Failing], clusters: dict[int, ClusterFacts], take: Take) -> None:
    by_node: dict[tuple[int, str], list[Failing]] = defaultdict(list)
    for item in failing:
        bad = clusters[item.cluster_id].bad_nodes if item.cluster_id in clusters else frozenset()
        hit = sorted(item.nodes & bad)
        if hit:
            by_node[(item.cluster_id, hit[0])].append(item)
    for (cluster_id, node), items in sorted(by_node.items()):
        if len(items) < 2:
            continue
        name = clusters[cluster_id].name
        group = Group(
            "node",
            f"node:{cluster_id}:{node}",
            f"Node {node} on {name}",
            _main_class(items),
            cluster_id,
            systemic=_share(len(items), clusters[cluster_id]) > SYSTEMIC_SHARE,
        )
        take(group, items)


def _storage_groups(failing: list[Failing], clusters: dict[int, ClusterFacts], take: Take) -> None:
    by_class: dict[tuple[int, str, str], list[Failing]] = defaultdict(list)
    for item in failing:
        storage = item.rubric_id == STORAGE_RUBRIC or item.failure_class in STORAGE_CLASSES
        if storage and item.storage_classes:
            sc = sorted(item.storage_classes)[0]
            by_class[(item.cluster_id, sc, item.failure_class)].append(item)
    for (cluster_id, sc, cls), items in sorted(by_class.items()):
        if len(items) < 2:
            continue
        cluster = clusters.get(cluster_id)
        group = Group(
            "storage_class",
            f"storage:{cluster_id}:{sc}:{cls}",
            f"Storage class {sc} on {cluster.name if cluster else cluster_id}: {cls}",
            cls,
            cluster_id,
            systemic=_share(len(items), cluster) > SYSTEMIC_SHARE,
        )
        take(group, items)


def _platform_groups(failing: list[Failing], thresholds: Thresholds, take: Take) -> None:
    for cls, items in sorted(_by(failing, lambda i: i.failure_class).items()):
        if not cls or len({i.cluster_id for i in items}) < thresholds.platform_clusters:
            continue
        n = len({i.cluster_id for i in items})
        group = Group("platform", f"platform:{cls}", f"Platform: {cls} on {n} clusters")
        group.failure_class, group.systemic = str(cls), True
        take(group, items)


def _catalog_groups(failing: list[Failing], take: Take) -> None:
    by_item = _by(failing, lambda i: (i.lab_id, i.failure_class))
    for (lab_id, cls), items in sorted(by_item.items()):
        if not cls or len({i.cluster_id for i in items}) < 2:
            continue
        n = len({i.cluster_id for i in items})
        group = Group("catalog_item", f"item:{lab_id}:{cls}", f"{cls} on {n} clusters")
        group.failure_class, group.lab_id = cls, lab_id
        take(group, items)


def _cluster_class_groups(
    failing: list[Failing],
    clusters: dict[int, ClusterFacts],
    now: datetime,
    thresholds: Thresholds,
    take: Take,
) -> None:
    recent = [i for i in failing if now - i.detected_at <= thresholds.window and i.failure_class]
    by_class = _by(recent, lambda i: (i.cluster_id, i.failure_class))
    for (cluster_id, cls), items in sorted(by_class.items()):
        cluster = clusters.get(cluster_id)
        share = _share(len(items), cluster)
        enough = len(items) >= thresholds.min_labs or share * 100 >= thresholds.min_percent
        if len(items) < 2 or not enough:
            continue
        name = cluster.name if cluster else str(cluster_id)
        group = Group(
            "cluster_class",
            f"cluster-class:{cluster_id}:{cls}",
            f"{cls} on {len(items)} labs of {name}",
            cls,
            cluster_id,
            systemic=share > SYSTEMIC_SHARE,
        )
        take(group, items)
