"""Every grouping rule of `incidents.correlate`, on plain facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from incidents.correlate import ClusterFacts, Failing, Thresholds, groups_find

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def failing(
    pk: int, cluster: int = 1, cls: str = "crashloop", lab: int = 1, **kw: object
) -> Failing:
    fields: dict[str, object] = {"rubric_id": "deployment-ready", "detected_at": NOW}
    fields.update(kw)
    return Failing(pk, cluster, lab, cls, **fields)  # type: ignore[arg-type]


def cluster(
    pk: int, labs: int = 100, *, reachable: bool = True, bad: tuple[str, ...] = ()
) -> ClusterFacts:
    ids = tuple(range(pk * 1000, pk * 1000 + labs))
    return ClusterFacts(pk, f"c{pk}", reachable, ids, frozenset(bad))


def test_it_groups_the_labs_on_a_not_ready_node_into_one_incident() -> None:
    items = [
        failing(i, cls="cluster-nodes-not-ready", nodes=frozenset({"worker-1"})) for i in range(53)
    ]
    items.append(failing(99, nodes=frozenset({"worker-2"})))
    (group,) = groups_find(items, {1: cluster(1, bad=("worker-1",))}, now=NOW)
    assert group.kind == "node"
    assert group.key == "node:1:worker-1"
    assert len(group.members) == 53 and 99 not in group.members
    assert group.failure_class == "cluster-nodes-not-ready"
    assert group.systemic  # 53 of 100 labs


def test_it_needs_two_labs_on_a_node() -> None:
    items = [failing(1, nodes=frozenset({"worker-1"}))]
    assert groups_find(items, {1: cluster(1, bad=("worker-1",))}, now=NOW) == []


def test_it_groups_storage_failures_by_storage_class() -> None:
    items = [
        failing(
            i,
            cls="pvc-provisioning-failed",
            rubric_id="storage-clone-ready",
            storage_classes=frozenset({"ocs-rbd"}),
        )
        for i in range(3)
    ] + [failing(9, cls="pvc-provisioning-failed", storage_classes=frozenset({"gp3"}))]
    (group,) = groups_find(items, {1: cluster(1)}, now=NOW)
    assert (group.kind, group.key) == ("storage_class", "storage:1:ocs-rbd:pvc-provisioning-failed")
    assert set(group.members) == {0, 1, 2}


def test_it_makes_an_unreachable_cluster_one_incident_of_all_its_labs() -> None:
    items = [failing(i, cluster=2) for i in (2000, 2001)]
    (group,) = groups_find(items, {2: cluster(2, labs=4, reachable=False)}, now=NOW)
    assert group.kind == "cluster_unreachable"
    assert set(group.members) == {2000, 2001, 2002, 2003}
    assert group.systemic


def test_it_groups_the_same_class_on_k_labs_of_a_cluster() -> None:
    items = [failing(i, lab=i) for i in range(5)]
    (group,) = groups_find(items, {1: cluster(1, labs=100)}, now=NOW)
    assert (group.kind, len(group.members)) == ("cluster_class", 5)
    assert groups_find(items[:4], {1: cluster(1, labs=100)}, now=NOW) == []


def test_it_groups_the_same_class_on_a_fifth_of_a_cluster() -> None:
    items = [failing(i, lab=i) for i in range(2)]
    (group,) = groups_find(items, {1: cluster(1, labs=10)}, now=NOW)
    assert group.kind == "cluster_class" and group.systemic is False  # 20 %, not more
    assert groups_find(items, {1: cluster(1, labs=11)}, now=NOW) == []


def test_it_groups_by_threshold_only_within_the_window() -> None:
    old = NOW - timedelta(hours=2)
    items = [failing(i, lab=i, detected_at=old) for i in range(6)]
    assert groups_find(items, {1: cluster(1)}, now=NOW, thresholds=Thresholds()) == []


def test_it_groups_a_catalog_item_failing_the_same_way_on_two_clusters() -> None:
    items = [
        failing(1, cluster=1, lab=7),
        failing(2, cluster=2, lab=7),
        failing(3, cluster=2, lab=8),
    ]
    (group,) = groups_find(items, {1: cluster(1), 2: cluster(2)}, now=NOW)
    assert (group.kind, group.key, set(group.members)) == (
        "catalog_item",
        "item:7:crashloop",
        {1, 2},
    )


def test_it_makes_the_same_class_on_three_clusters_a_platform_incident() -> None:
    items = [failing(c, cluster=c, lab=c) for c in (1, 2, 3)]
    clusters = {c: cluster(c) for c in (1, 2, 3)}
    (group,) = groups_find(items, clusters, now=NOW)
    assert (group.kind, group.key, group.systemic) == ("platform", "platform:crashloop", True)
    assert set(group.members) == {1, 2, 3}


def test_a_lab_joins_the_most_specific_group_only() -> None:
    on_node = [failing(i, cls="crashloop", nodes=frozenset({"w1"})) for i in range(6)]
    (group,) = groups_find(on_node, {1: cluster(1, bad=("w1",))}, now=NOW)
    assert group.kind == "node"  # not also a cluster_class group of the same labs
