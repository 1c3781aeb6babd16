"""Recommendations from stored data: found, deduplicated, resolved, and raised as a request."""

from __future__ import annotations

from typing import Any

import pytest

from collectors.models import PoolSnapshot
from recommendations.models import Recommendation
from recommendations.services import (
    NoActionForRecommendation,
    recommendation_request_action,
    recommendations_refresh,
)
from recommendations.tests.conftest import POOL, Demo, pool_history
from remediation.models import ActionRequest
from scanning.models import NodeSnapshot

pytestmark = pytest.mark.django_db


def test_a_low_pool_before_a_session_is_recommended_once(demo: Demo) -> None:
    first = recommendations_refresh(now=demo.now, live_cleanup=False)
    rows = {r.key: r for r in Recommendation.objects.filter(status="open")}
    assert f"pool_exhaustion:{POOL}" in rows
    assert f"pool_depletion_predicted:{POOL}" in rows
    exhausted = rows[f"pool_exhaustion:{POOL}"]
    assert (exhausted.urgency, exhausted.confidence) == ("high", 0.80)
    assert exhausted.team == demo.team and exhausted.lab == demo.lab
    assert exhausted.action == "pool-scale"
    assert exhausted.evidence["source_poolboy"]["available"] == 1
    assert exhausted.evidence["source_poolboy"]["link"].startswith("/forecasting/capacity/")
    predicted = rows[f"pool_depletion_predicted:{POOL}"]
    assert predicted.evidence["source_velocity"]["handles_per_hour"] == -2.0
    again = recommendations_refresh(now=demo.now, live_cleanup=False)
    assert again.opened == 0 and again.refreshed == first.opened
    assert Recommendation.objects.filter(key=f"pool_exhaustion:{POOL}").count() == 1


def test_a_cleared_condition_resolves_it(demo: Demo) -> None:
    recommendations_refresh(now=demo.now, live_cleanup=False)
    PoolSnapshot.objects.filter(pool_name=POOL).delete()
    pool_history(POOL, [8] * 8, now=demo.now, item=demo.lab.catalog_item)
    result = recommendations_refresh(now=demo.now, live_cleanup=False)
    assert result.resolved >= 2
    row = Recommendation.objects.get(key=f"pool_exhaustion:{POOL}")
    assert row.status == "resolved" and row.resolved_at == demo.now


def test_a_lab_with_sessions_and_nothing_provisioned_is_blocked(demo: Demo) -> None:
    recommendations_refresh(now=demo.now, live_cleanup=False)
    # LB2000 has a session, no instance and a pool with handles: not blocked
    assert not Recommendation.objects.filter(rule="provision_blocked_lab").exists()
    PoolSnapshot.objects.filter(pool_name="lb2000-pool").delete()
    recommendations_refresh(now=demo.now, live_cleanup=False)
    blocked = Recommendation.objects.get(rule="provision_blocked_lab", status="open")
    assert blocked.target == demo.other.catalog_item
    assert blocked.urgency == "critical"
    assert blocked.evidence["source_labagator"]["session_count"] == 1


def test_pool_scale_goes_through_the_gates_to_the_approval_queue(
    demo: Demo, catalog: None, operator: Any
) -> None:
    recommendations_refresh(now=demo.now, live_cleanup=False)
    row = Recommendation.objects.get(key=f"pool_exhaustion:{POOL}")
    request = recommendation_request_action(recommendation=row, user=operator)
    assert request.status == ActionRequest.Status.PENDING  # pool-scale always requires approval
    assert request.action.action_id == "pool-scale"
    assert request.parameters == {"pool": POOL, "pool_namespace": "poolboy", "min_available": 10}
    assert request.lab_instance == demo.instance
    row.refresh_from_db()
    assert row.action_request == request
    # Asked again: the same open request, not a second one
    assert recommendation_request_action(recommendation=row, user=operator).pk == request.pk


def test_a_recommendation_without_an_action_raises_nothing(demo: Demo, catalog: None) -> None:
    NodeSnapshot.objects.update(cpu_used_millicores=28000)  # 87.5 %
    recommendations_refresh(now=demo.now, live_cleanup=False)
    row = Recommendation.objects.get(rule="cluster_capacity")
    assert (row.urgency, row.confidence, row.team) == ("high", 0.85, None)
    assert row.action == ""
    with pytest.raises(NoActionForRecommendation):
        recommendation_request_action(recommendation=row, user=None)


def test_pools_of_one_name_on_two_hubs_keep_their_own_history(
    demo: Demo, catalog: None, operator: Any
) -> None:
    """Each scanned cluster is its own hub: the same pool on two of them is two pools, and the
    request goes to the lab instance on the pool's hub (the executor patches that cluster)."""
    from labs.models import Cluster, LabInstance

    other = Cluster.objects.create(
        name="ocpv02", api_url="https://127.0.0.1:2", simulated=True, insecure_lab=True
    )
    LabInstance.objects.create(cluster=other, lab=demo.lab, namespace="sandbox-zz99z-lb1208-cnv")
    PoolSnapshot.objects.filter(pool_name=POOL).update(hub=demo.cluster)
    PoolSnapshot.objects.bulk_create(
        PoolSnapshot(
            pool_name=POOL,
            hub=other,
            taken_at=p.taken_at,
            available=9,
            ready=9,
            min_available=5,
            catalog_item=demo.lab.catalog_item,
        )
        for p in PoolSnapshot.objects.filter(pool_name=POOL)
    )
    recommendations_refresh(now=demo.now, live_cleanup=False)
    row = Recommendation.objects.get(rule="pool_exhaustion")
    assert row.target == f"ocpv01/{POOL}"  # ocpv02's pool has 9 handles: no finding
    request = recommendation_request_action(recommendation=row, user=operator)
    assert request.lab_instance == demo.instance and request.parameters["pool"] == POOL


def test_a_dotted_pool_name_can_be_scaled(demo: Demo, catalog: None, operator: Any) -> None:
    """Real Poolboy pools are named like catalog items (`account.item.stage`)."""
    PoolSnapshot.objects.filter(pool_name=POOL).update(pool_name="openshift-cnv.lb1208.prod")
    recommendations_refresh(now=demo.now, live_cleanup=False)
    row = Recommendation.objects.get(key="pool_exhaustion:openshift-cnv.lb1208.prod")
    request = recommendation_request_action(recommendation=row, user=operator)
    assert request.parameters["pool"] == "openshift-cnv.lb1208.prod"
    assert request.status == ActionRequest.Status.PENDING
