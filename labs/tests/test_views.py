from __future__ import annotations

import pytest

from labs.models import Status
from labs.tests import factories

pytestmark = pytest.mark.django_db


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
    with django_assert_max_num_queries(10):
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
    response = operator_client.get("/labs/?q=zz9&sort=-status")
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
