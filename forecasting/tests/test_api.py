"""The Launchpad API (spec 24.7) on the demo fleet: shapes, scores, scoping and limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from labs.models import LabInstance, Status
from recommendations.tests.conftest import POOL, Demo, user_with
from stargate.apikeys import api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(db: None) -> dict[str, str]:
    owner = user_with("robot")
    token = api_key_create(name="launchpad", owner=owner, scopes=["read"]).token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_it_needs_a_key(client: Client, demo: Demo) -> None:
    assert client.get("/api/v1/clusters/capacity").status_code == 401


def test_cluster_capacity_ranks_by_placement_score(client: Client, demo: Demo, key: Any) -> None:
    LabInstance.objects.update(status=Status.READY)
    body = client.get("/api/v1/clusters/capacity", **key).json()
    assert body["total"] == 1
    [cluster] = body["clusters"]
    # cpu 62.5 %, no VMs, health 100, no pool counted for the cluster (names differ):
    # 0.30 * 37.5 + 0.20 * 100 + 0.30 * 100 + 0 = 61.2 (rounded from 61.25)
    assert cluster["cluster"] == "ocpv01" and cluster["cpu_pct"] == 62.5
    assert cluster["score"] == 61.2
    assert cluster["status"] == "healthy" and cluster["sandbox_active"] == 1


def test_cluster_score_breakdown_and_404(client: Client, demo: Demo, key: Any) -> None:
    body = client.get("/api/v1/clusters/ocpv01/score", **key).json()
    assert set(body["breakdown"]) == {
        "cpu_score",
        "density_score",
        "health_score",
        "capacity_score",
    }
    assert body["raw"]["cpu_pct"] == 62.5
    assert client.get("/api/v1/clusters/nope/score", **key).status_code == 404


def test_pools_availability(client: Client, demo: Demo, key: Any) -> None:
    body = client.get("/api/v1/pools/availability", **key).json()
    assert body["total_pools"] == 2 and body["total_available"] == 11
    pool = next(p for p in body["pools"] if p["name"] == POOL)
    assert pool == {"name": POOL, "available": 1, "ready": 1, "min": 5, "status": "low"}
    assert body["platform_status"] == "healthy"


def test_forecast_honours_hours_and_caps_them(client: Client, demo: Demo, key: Any) -> None:
    body = client.get("/api/v1/forecast?hours=12", **key).json()
    assert len(body["projection"]["hours"]) == 12
    assert body["pools_available"] == 11 and body["risk"] == "medium"
    assert body["cluster_projections"][0]["capacity_warning"] is True  # cpu 62.5 > 60
    assert body["projection"]["bottlenecks"][0]["pool"] == POOL
    assert len(client.get("/api/v1/forecast", **key).json()["projection"]["hours"]) == 7
    assert client.get("/api/v1/forecast?hours=49", **key).status_code == 400  # a problem


def test_health_summary(client: Client, demo: Demo, key: Any) -> None:
    LabInstance.objects.update(status=Status.FAILED)
    body = client.get("/api/v1/health/summary", **key).json()
    assert body["clusters"]["ocpv01"]["status"] == "degraded"
    assert body["platform_healthy"] is False and body["degraded"] == 1


def test_a_team_key_sees_its_pools_only(client: Client, demo: Demo) -> None:
    member = user_with("teamrobot", operator=False)
    demo.team.members.add(member)
    token = api_key_create(name="team", owner=member, scopes=["read"]).token
    body = client.get("/api/v1/pools/availability", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [p["name"] for p in body["pools"]] == [POOL]


def test_readiness_score_of_the_event(client: Client, demo: Demo, key: Any) -> None:
    LabInstance.objects.update(status=Status.READY)
    body = client.get("/api/v1/readiness", **key).json()
    # one scheduled lab (LB1208): its pool counts as provisioned, it has a session;
    # health 100, no critical cluster, a pool exhausting in 0.5 h, no failing sandbox:
    # 0.30 * 100 + 0.25 * 100 + 0.15 * 100 + 0.10 * 100 + 0.10 * 0 + 0.10 * 100 = 90
    assert body["overall"] == 90.0
    assert body["parts"]["capacity"] == 0.0
    assert body["gates"] == {"provisioned": "green", "health": "green", "sessions": "green"}
