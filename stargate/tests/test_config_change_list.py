"""The configuration audit page and admin: login required, filterable, read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from labs.models import Cluster, Lab, Team
from labs.tests.factories import platform_operator
from stargate.models import ConfigChange

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def changes(admin_user: User) -> None:
    Lab.objects.create(catalog_item="aap-intro", execution_mode="full_auto")
    Cluster.objects.create(name="west", api_url="https://api.west.example.com:6443")
    ConfigChange.objects.filter(model="labs.cluster").update(actor="carol")


def test_it_requires_login(client: Client) -> None:
    response = client.get("/config-changes/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_lists_every_change_with_before_and_after(client: Client, changes: None) -> None:
    client.force_login(platform_operator(User.objects.create_user("viewer", password="pw-v-123")))
    page = client.get("/config-changes/").content.decode()
    assert "aap-intro" in page and "west" in page
    assert "execution_mode" in page and "full_auto" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("model=labs.cluster", "west", "aap-intro"),
        ("object=aap", "aap-intro", "api.west"),
        ("user=carol", "api.west", "aap-intro"),
    ],
)
def test_it_filters_by_model_object_and_user(
    client: Client, changes: None, query: str, shown: str, hidden: str
) -> None:
    client.force_login(platform_operator(User.objects.create_user("viewer", password="pw-v-123")))
    page = client.get(f"/config-changes/?{query}").content.decode()
    table = page.split('id="config-change-table"', 1)[1]
    assert shown in table and hidden not in table


def test_it_is_read_only_in_the_admin(client: Client, admin_user: User, changes: None) -> None:
    client.force_login(admin_user)
    change = ConfigChange.objects.first()
    assert change is not None
    assert client.get("/admin/stargate/configchange/").status_code == 200
    assert client.get("/admin/stargate/configchange/add/").status_code == 403
    assert client.get(f"/admin/stargate/configchange/{change.pk}/delete/").status_code == 403
    view = client.get(f"/admin/stargate/configchange/{change.pk}/change/").content.decode()
    assert 'name="_save"' not in view
    client.post(f"/admin/stargate/configchange/{change.pk}/change/", {"actor": "forged"})
    change.refresh_from_db()
    assert change.actor != "forged"


def test_a_team_member_reads_the_changes_of_their_teams_objects(client: Client) -> None:
    """Their catalog items' changes, and the remediation catalog's; never another team's item
    or a cluster where they have no lab (dashboard/tests/test_team_isolation.py walks more)."""
    mine, theirs = Team.objects.create(name="mine"), Team.objects.create(name="theirs")
    Lab.objects.create(catalog_item="my-item", team=mine, execution_mode="full_auto")
    Lab.objects.create(catalog_item="their-item", team=theirs)
    Cluster.objects.create(name="far", api_url="https://api.far.example.com:6443")
    member = User.objects.create_user("member", password="pw-member-123")
    mine.members.add(member)
    client.force_login(member)

    page = client.get("/config-changes/").content.decode()

    assert "my-item" in page
    assert "their-item" not in page and "api.far" not in page
