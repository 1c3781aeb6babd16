"""The capacity, recommendations and provisioning pages: content, charts, query budget and
team scoping."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from recommendations.models import Recommendation
from recommendations.services import recommendations_refresh
from recommendations.tests.conftest import POOL, Demo, user_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client: Client, operator: Any) -> Client:
    client.force_login(operator)
    return client


def test_capacity_shows_each_pool_with_its_forecast_and_marker(
    demo: Demo, logged_in: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10):
        response = logged_in.get("/forecasting/capacity/?hours=24")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="pool-{POOL}"' in html and "lb2000-pool" in html
    assert "95 % band" in html and "✖ exhausted" in html  # marker and band, named in text
    assert 'id="cluster-CPU-chart-0"' in html and 'id="session-timeline"' in html
    assert "CRITICAL" in html or "HIGH" in html


def test_capacity_horizon_is_capped_at_72_hours(demo: Demo, logged_in: Client) -> None:
    html = logged_in.get("/forecasting/capacity/?hours=500").content.decode()
    assert 'value="72" selected' in html


def test_a_team_member_sees_only_the_pools_of_its_labs(
    demo: Demo, client: Client, member: Any
) -> None:
    client.force_login(member)
    html = client.get("/forecasting/capacity/").content.decode()
    assert POOL in html and "lb2000-pool" not in html


def test_recommendations_filter_and_show_evidence(
    demo: Demo, logged_in: Client, django_assert_max_num_queries: Any
) -> None:
    recommendations_refresh(now=demo.now, live_cleanup=False)
    with django_assert_max_num_queries(10):
        html = logged_in.get("/recommendations/?urgency=high&scope=pool").content.decode()
    assert f"Pool {POOL}: 1 of 5 handles left" in html
    assert "Request pool-scale" in html and "Evidence" in html
    html = logged_in.get("/recommendations/?urgency=low").content.decode()
    assert "No recommendations." in html


def test_a_member_sees_its_team_recommendations_only(
    demo: Demo, client: Client, member: Any
) -> None:
    recommendations_refresh(now=demo.now, live_cleanup=False)
    Recommendation.objects.create(
        key="cluster_capacity:ocpv01",
        rule="cluster_capacity",
        scope="cluster",
        target="ocpv01",
        urgency="high",
        confidence=0.85,
        title="Cluster busy",
        recommendation="x",
    )
    client.force_login(member)
    html = client.get("/recommendations/").content.decode()
    assert POOL in html and "Cluster busy" not in html


def test_the_request_button_files_a_pending_pool_scale(
    demo: Demo, logged_in: Client, catalog: None
) -> None:
    recommendations_refresh(now=demo.now, live_cleanup=False)
    row = Recommendation.objects.get(key=f"pool_exhaustion:{POOL}")
    response = logged_in.post(f"/recommendations/{row.pk}/request/", follow=True)
    assert "Pending approval" in response.content.decode() or "pending" in response.content.decode()
    row.refresh_from_db()
    assert row.action_request is not None and row.action_request.status == "pending"


def test_someone_without_the_request_permission_cannot_request(
    demo: Demo, client: Client, catalog: None
) -> None:
    recommendations_refresh(now=demo.now, live_cleanup=False)
    client.force_login(user_with("nora"))
    row = Recommendation.objects.get(key=f"pool_exhaustion:{POOL}")
    client.post(f"/recommendations/{row.pk}/request/")
    row.refresh_from_db()
    assert row.action_request is None


def test_provisioning_page_of_a_lab_code(
    demo: Demo, logged_in: Client, django_assert_max_num_queries: Any
) -> None:
    recommendations_refresh(now=demo.now, live_cleanup=False)
    with django_assert_max_num_queries(11):
        response = logged_in.get("/recommendations/provisioning/LB1208/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Provisioning: LB1208" in html and POOL in html
    assert "30" in html  # attendees
    assert "Next action" in html and "Configure pool" not in html


def test_provisioning_page_is_team_scoped(demo: Demo, client: Client, member: Any) -> None:
    client.force_login(member)
    assert client.get("/recommendations/provisioning/LB1208/").status_code == 200
    assert (
        client.get(f"/recommendations/provisioning/{demo.other.catalog_item}/").status_code == 404
    )


def test_pages_require_login(client: Client) -> None:
    for url in ("/forecasting/capacity/", "/recommendations/", "/recommendations/provisioning/X/"):
        assert client.get(url).status_code == 302
