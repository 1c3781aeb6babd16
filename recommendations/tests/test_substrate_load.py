"""The substrate router on stored facts: node hardware classes from the scanner, hot nodes
from node metrics or Prometheus, failed nodes, blocked provisioning; `substrate_routing` fires
only on a classified cluster (contract 23.6)."""

from __future__ import annotations

import pytest

from collectors.models import ClusterAlert, ProvisionRecord
from labs.models import Cluster
from recommendations.models import Recommendation
from recommendations.services import recommendations_refresh
from recommendations.substrate_load import cluster_routing
from scanning.models import NodeSnapshot

from .conftest import Demo

pytestmark = pytest.mark.django_db
LOAD = {"cpu_all": 96.0, "cpu_used": 60.0, "mem_all": 384.0, "mem_used": 192.0, "nodes": 3.0}


def classify(cluster: Cluster) -> None:
    NodeSnapshot.objects.filter(cluster=cluster, name="worker-0").update(hardware_class="gaudi")
    NodeSnapshot.objects.filter(cluster=cluster).exclude(name="worker-0").update(
        hardware_class="xeon6"
    )


def decision(demo: Demo, **load: float) -> str:
    routing, _ = cluster_routing({demo.cluster.name: {**LOAD, **load}}, {})[demo.cluster.name]
    return routing.decision


def substrate() -> list[Recommendation]:
    return list(Recommendation.objects.filter(rule="substrate_routing", status="open"))


def test_a_cluster_without_classified_nodes_is_unknown_even_with_a_failed_node(
    demo: Demo,
) -> None:
    NodeSnapshot.objects.filter(cluster=demo.cluster, name="worker-2").update(ready=False)
    assert decision(demo) == "unknown"
    recommendations_refresh(now=demo.now, live_cleanup=False)
    assert substrate() == []


def test_classified_nodes_route_and_a_failed_node_falls_back_to_xeon6(demo: Demo) -> None:
    classify(demo.cluster)
    # avg CPU 62.5 %: gaudi 75, xeon6 50 -> gaudi preferred, no recommendation
    assert decision(demo) == "gaudi_preferred"
    recommendations_refresh(now=demo.now, live_cleanup=False)
    assert substrate() == []
    NodeSnapshot.objects.filter(cluster=demo.cluster, name="worker-2").update(ready=False)
    recommendations_refresh(now=demo.now, live_cleanup=False)
    [row] = substrate()
    assert (row.target, row.urgency, row.confidence) == ("ocpv01", "medium", 0.80)
    router = row.evidence["source_substrate_router"]
    assert router["routing"] == "xeon6_fallback"
    assert (router["inference"], router["compute"], router["failed_nodes"]) == ("xeon6", "xeon6", 1)
    assert (router["gaudi_nodes"], router["xeon6_nodes"]) == (1, 2)
    assert router["link"] == "/clusters/ocpv01/"  # the cluster page lists each node's class
    NodeSnapshot.objects.filter(cluster=demo.cluster, name="worker-2").update(ready=True)
    recommendations_refresh(now=demo.now, live_cleanup=False)
    assert substrate() == []  # resolved when the node is back


def test_hot_nodes_from_metrics_or_prometheus_saturate_gaudi(demo: Demo) -> None:
    classify(demo.cluster)
    # one hot node (>= the one gaudi node): gaudi 95 > 90
    NodeSnapshot.objects.filter(cluster=demo.cluster, name="worker-1").update(
        cpu_used_millicores=30000
    )
    assert decision(demo) == "xeon6_fallback"
    NodeSnapshot.objects.filter(cluster=demo.cluster, name="worker-1").update(
        cpu_used_millicores=20000
    )
    assert decision(demo) == "gaudi_preferred"
    alert = ClusterAlert.objects.create(
        cluster=demo.cluster,
        kind=ClusterAlert.Kind.QUERY,
        key="cpu_saturation:/worker-0",
        name="cpu_saturation",
        node="worker-0",
        value=0.93,
    )
    assert decision(demo) == "xeon6_fallback"
    alert.closed_at = demo.now
    alert.save()
    assert decision(demo) == "gaudi_preferred"


def test_busy_gaudi_with_idle_xeon6_rebalances_and_blocked_provisioning_changes_nothing(
    demo: Demo,
) -> None:
    NodeSnapshot.objects.filter(cluster=demo.cluster).update(hardware_class="gaudi")
    # no xeon6 node: xeon6 0 < 20, gaudi 62.5 * 1.2 = 75 > 70
    assert decision(demo) == "rebalance_to_xeon6"
    ProvisionRecord.objects.create(
        hub=demo.cluster,
        name="subject-1",
        namespace="babylon-anarchy",
        current_state="provision-pending",
        workload_cluster_name=demo.cluster.name,
    )
    assert decision(demo) == "no_change"
    ProvisionRecord.objects.create(
        hub=demo.cluster,
        name="subject-2",
        namespace="babylon-anarchy",
        current_state="started",
        workload_cluster_name=demo.cluster.name,
    )
    assert decision(demo) == "rebalance_to_xeon6"


def test_memory_pressure_keeps_gaudi_and_moves_compute_there(demo: Demo) -> None:
    classify(demo.cluster)
    routing, load = cluster_routing({demo.cluster.name: {**LOAD, "mem_used": 320.0}}, {})[
        demo.cluster.name
    ]
    assert load.avg_memory == 83.3
    assert (routing.decision, routing.inference, routing.compute) == (
        "gaudi_preferred",
        "gaudi",
        "gaudi",
    )
