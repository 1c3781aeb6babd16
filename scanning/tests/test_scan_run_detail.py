from __future__ import annotations

import pytest
from django.utils import timezone

from dashboard.fleet import fleet_forget
from labs.tests import factories
from labs.tests.factories import platform_operator
from scanning.models import NodeSnapshot, ScanRun

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def operator_client(client, django_user_model):
    client.force_login(platform_operator(django_user_model.objects.create_user("bob")))
    return client


@pytest.fixture
def run():
    cluster = factories.cluster("east")
    return ScanRun.objects.create(
        cluster=cluster, tier=3, started_at=timezone.now(), steps_total=4, steps_done=1
    )


def test_it_polls_a_running_scan(operator_client, run, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = operator_client.get(f"/scans/runs/{run.pk}/")
    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "25%" in html


def test_it_stops_polling_when_the_run_is_done(operator_client, run):
    ScanRun.objects.filter(pk=run.pk).update(status="succeeded", duration_ms=1234.0)
    response = operator_client.get(f"/scans/runs/{run.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 286
    html = response.content.decode()
    assert "hx-trigger" not in html
    assert "1234 ms" in html


def test_it_answers_a_running_poll_with_200(operator_client, run):
    response = operator_client.get(f"/scans/runs/{run.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_it_lists_nodes_and_runs_on_the_cluster_page(
    operator_client, run, django_assert_max_num_queries
):
    NodeSnapshot.objects.create(
        cluster=run.cluster,
        name="worker-1",
        ready=True,
        cpu_allocatable_millicores=4000,
        cpu_used_millicores=1000,
        memory_allocatable_bytes=100,
        memory_used_bytes=50,
        collected_at=timezone.now(),
    )
    with django_assert_max_num_queries(12):  # counts by every status, the team check
        html = operator_client.get("/clusters/east/").content.decode()
    assert "worker-1" in html
    assert f"/scans/runs/{run.pk}/" in html
    fleet_forget()
    with django_assert_max_num_queries(12):
        fleet = operator_client.get("/").content.decode()
    assert "1/1" in fleet
    assert "25% / 50%" in fleet
    assert "T3" in fleet
