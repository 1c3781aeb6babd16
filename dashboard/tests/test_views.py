from __future__ import annotations

import pytest

from labs.models import Status
from labs.tests import factories

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def fleet():
    east, west = factories.cluster("east"), factories.cluster("west", reachable=False)
    team = factories.Team.objects.create(name="gitops-team")
    gitops, ai = factories.lab("gitops", team=team), factories.lab("ai-workshop")
    for i in range(12):
        factories.lab_instance(on=east if i % 2 else west, of=gitops if i % 3 else ai)
    factories.lab_instance(
        on=east, of=ai, status=Status.FAILED, failure_class="image-pull", guid="zz9"
    )
    return east, west


def test_it_shows_the_fleet_in_constant_queries(
    operator_client, fleet, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = operator_client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="status-counters"' in html
    assert "image-pull" in html
    assert 'href="/clusters/east/"' in html


def test_it_lists_and_filters_labs_in_constant_queries(
    operator_client, fleet, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = operator_client.get("/labs/?status=failed&cluster=east")
    html = response.content.decode()
    assert "sandbox-zz9-ai-workshop" in html
    assert html.count('id="lab-row-') == 1
    assert "✖</span> Failed" in html


def test_it_searches_by_guid_and_sorts(operator_client, fleet):
    response = operator_client.get("/labs/?q=ZZ9&sort=-status")
    assert response.content.decode().count('id="lab-row-') == 1


def test_it_filters_by_team_and_catalog_item(operator_client, fleet):
    html = operator_client.get("/labs/?team=gitops-team&catalog_item=gitops").content.decode()
    assert html.count('id="lab-row-') == 8
    assert "ai-workshop" not in html.split("<tbody>")[1]


def test_it_answers_htmx_with_the_table_fragment(
    operator_client, fleet, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = operator_client.get("/labs/?sort=namespace", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="lab-table"')
    assert 'id="lab-count" hx-swap-oob="true"' in html
    assert "<html" not in html


def test_it_shows_a_lab_instance(operator_client, fleet, django_assert_max_num_queries):
    instance = factories.LabInstance.objects.get(guid="zz9")
    with django_assert_max_num_queries(10):
        response = operator_client.get(instance.get_absolute_url())
    assert response.status_code == 200
    assert f'id="lab-{instance.pk}-timeline"' in response.content.decode()


def test_it_shows_a_cluster(operator_client, fleet, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = operator_client.get("/clusters/west/")
    assert response.status_code == 200
    assert "No node snapshot" in response.content.decode()


def test_it_shows_the_rubric_pipeline_and_timeline_in_constant_queries(
    operator_client, django_assert_max_num_queries
):
    from django.utils import timezone

    from dashboard.tests import live_driver
    from rubrics_app.services import lab_instance_evaluate

    instance = factories.lab_instance(status=Status.UNKNOWN)
    lab_instance_evaluate(
        lab_instance=instance, evidence=live_driver.healthy_evidence(), now=timezone.now()
    )
    lab_instance_evaluate(
        lab_instance=instance, evidence=live_driver.crashing_evidence(), now=timezone.now()
    )
    with django_assert_max_num_queries(12):
        html = operator_client.get(instance.get_absolute_url()).content.decode()
    assert 'id="rubric-deployment-ready"' in html
    assert "CrashLoopBackOff" in html
    assert "restart-pod" in html
    timeline = html.split(f'id="lab-{instance.pk}-timeline"')[1].split("</ol>")[0]
    assert timeline.count("<li>") >= 3
    with django_assert_max_num_queries(12):
        fleet = operator_client.get("/").content.decode()
    assert instance.namespace in fleet.split('id="recent-changes"')[1]


@pytest.mark.parametrize(
    ("query", "count"),
    [("", 13), ("?cluster=east", 7), ("?status=failed&cluster=east", 1), ("?team=gitops-team", 8)],
)
def test_it_counts_the_filtered_labs(operator_client, fleet, query, count):
    html = operator_client.get(f"/labs/{query}").content.decode()
    assert f'<span class="muted" id="lab-count">{count}</span>' in html


def test_it_counts_from_the_fleet_counts_when_it_can(operator_client, fleet):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    operator_client.get("/")  # fills the fleet counts
    with CaptureQueriesContext(connection) as queries:
        operator_client.get("/labs/?status=failed")
    assert not any("COUNT(*)" in query["sql"] for query in queries.captured_queries)


def test_it_ignores_an_unknown_filter_value_in_rows_and_count(operator_client, fleet):
    html = operator_client.get("/labs/?cluster=nowhere&status=failed").content.decode()
    assert '<span class="muted" id="lab-count">1</span>' in html
    assert html.count('id="lab-row-') == 1


def finish_scan_run(cluster, capture) -> None:
    from django.utils import timezone

    from scanning.models import ScanRun
    from scanning.services import _finish

    run = ScanRun.objects.create(cluster=cluster, tier=1, started_at=timezone.now())
    with capture(execute=True):
        _finish(run, ScanRun.Status.SUCCEEDED, started=0.0)


def test_it_refreshes_the_fleet_overview_when_a_scan_run_ends(
    operator_client, fleet, django_capture_on_commit_callbacks, settings
):
    """Redis layer: the process that finished the run recomputes the fleet snapshot, so the
    next page view shows the change without counting the fleet itself."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from labs.models import Cluster

    if "Redis" not in settings.CHANNEL_LAYERS["default"]["BACKEND"]:
        pytest.skip("needs the Redis layer")
    operator_client.get("/")
    Cluster.objects.filter(name="west").update(reachable=True)  # what the scan run found
    finish_scan_run(fleet[0], django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        html = operator_client.get("/").content.decode()
    west = html.split(f'id="cluster-{fleet[1].pk}"')[1].split("</tr>")[0]
    assert "✔</span> yes" in west
    assert not any("labs_labinstance" in query["sql"] for query in queries.captured_queries)


def test_it_records_a_live_event_for_the_relay_when_a_scan_run_ends(
    operator_client, fleet, django_capture_on_commit_callbacks, settings
):
    from stargate.models import LiveEvent

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    finish_scan_run(fleet[0], django_capture_on_commit_callbacks)
    event = LiveEvent.objects.get()
    assert (event.topic, event.ids) == ("fleet", [])


def test_it_refreshes_the_fleet_snapshot_with_every_broadcast(operator_client, fleet):
    from labs.models import Cluster
    from stargate import realtime

    operator_client.get("/")
    Cluster.objects.filter(name="west").update(reachable=True)
    realtime.deliver(realtime.FLEET, [])
    html = operator_client.get("/").content.decode()
    west = html.split(f'id="cluster-{fleet[1].pk}"')[1].split("</tr>")[0]
    assert "✔</span> yes" in west


def test_it_filters_by_a_cluster_added_after_the_first_view(operator_client, fleet):
    from dashboard.fleet import fleet_forget

    assert operator_client.get("/labs/?cluster=east").content.decode().count('id="lab-row-') == 7
    north = factories.cluster("north")
    factories.lab_instance(on=north, guid="nn1")
    fleet_forget()  # what the next scan run's end does
    html = operator_client.get("/labs/?cluster=north").content.decode()
    assert html.count('id="lab-row-') == 1
    assert "sandbox-nn1-" in html
    assert '<option value="north" selected>north</option>' in html


def test_it_names_rows_newer_than_the_fleet_counts(operator_client, fleet):
    operator_client.get("/labs/")  # the fleet counts now predate what follows
    south = factories.cluster("south")
    factories.lab_instance(on=south, of=factories.lab("brand-new-item"), guid="ss1")
    html = operator_client.get("/labs/").content.decode()
    row = html.split("sandbox-ss1-brand-new-item")[1].split("</tr>")[0]
    assert 'href="/clusters/south/">south</a>' in row
    assert "<td>brand-new-item</td>" in row


def test_it_starts_a_new_order_at_the_first_page(operator_client, fleet):
    html = operator_client.get("/labs/?status=ready&page=1&sort=namespace").content.decode()
    header = html.split("<thead>")[1].split("</thead>")[0]
    assert 'aria-sort="ascending"' in header
    assert 'href="?status=ready&amp;sort=-namespace"' in header
    assert "page=" not in header


def test_it_pages_through_the_filtered_labs(operator_client, fleet, settings):
    from dashboard import views

    views.PAGE_SIZE, old = 5, views.PAGE_SIZE
    try:
        html = operator_client.get("/labs/?cluster=east&page=2").content.decode()
    finally:
        views.PAGE_SIZE = old
    assert html.count('id="lab-row-') == 2
    assert "Page 2 of 2" in html
    assert 'href="?cluster=east&amp;page=1" hx-get="?cluster=east&amp;page=1" rel="prev"' in html


def test_it_escapes_names_in_rows_and_filters(operator_client):
    factories.lab_instance(of=factories.lab("<b>bold</b>"), guid="xx1")
    html = operator_client.get("/labs/").content.decode()
    assert "<b>bold</b>" not in html
    assert "<td>&lt;b&gt;bold&lt;/b&gt;</td>" in html
    assert '<option value="&lt;b&gt;bold&lt;/b&gt;">' in html
