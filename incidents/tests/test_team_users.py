"""An incident shared by two teams, as a member of one: the assignee choices name their teams'
members only, another team's member cannot be assigned (nor told apart from a missing user),
and an assignee or acknowledger of another team is not named; a member's change never writes
what they were shown (the title's "several") back to the incident."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from incidents.models import Incident, IncidentMember
from labs.models import Team
from labs.tests import factories
from labs.tests.factories import platform_operator

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

TITLE = "crashloop on 3 labs of east"


@pytest.fixture
def shared() -> Incident:
    east = factories.cluster("east")
    now = timezone.now()
    incident = Incident.objects.create(
        kind="cluster_class",
        key="cluster-class:east",
        title=TITLE,
        cluster=east,
        failure_class="crashloop",
        severity_factors={"attendees": 5, "labs": 2},
        opened_at=now,
        updated_at=now,
    )
    for name in ("alpha", "bravo"):
        team = Team.objects.create(name=f"team-{name}")
        team.members.add(User.objects.create_user(f"z{name}-member"))
        lab = factories.lab_instance(on=east, of=factories.lab(f"{name}item", team=team))
        IncidentMember.objects.create(incident=incident, lab_instance=lab, joined_at=now)
    return incident


@pytest.fixture
def bravo(shared: Incident) -> Client:
    member = User.objects.get(username="zbravo-member")
    member.user_permissions.add(Permission.objects.get(codename="change_incident"))
    client = Client()
    client.force_login(member)
    return client


def test_it_offers_a_member_their_teams_users_only(bravo: Client, shared: Incident) -> None:
    User.objects.create_user("loner")  # of no team
    page = bravo.get(f"/incidents/{shared.pk}/").content.decode()
    assert 'value="zbravo-member"' in page
    assert "zalpha-member" not in page and "loner" not in page


def test_it_refuses_another_teams_user_as_a_missing_one(bravo: Client, shared: Incident) -> None:
    for username in ("zalpha-member", "nobody-at-all"):
        response = bravo.post(f"/incidents/{shared.pk}/assign/", {"assignee": username})
        assert (response.status_code, response.content) == (400, b"No such user.")
    shared.refresh_from_db()
    assert shared.assignee is None
    bravo.post(f"/incidents/{shared.pk}/assign/", {"assignee": "zbravo-member"})
    shared.refresh_from_db()
    assert shared.assignee is not None and shared.assignee.username == "zbravo-member"


def test_it_does_not_name_another_teams_assignee(bravo: Client, shared: Incident) -> None:
    alpha = User.objects.get(username="zalpha-member")
    Incident.objects.filter(pk=shared.pk).update(assignee=alpha, acknowledged_by=alpha)
    for path in (f"/incidents/{shared.pk}/", "/incidents/"):
        page = bravo.get(path).content.decode()
        assert "zalpha" not in page, path
        assert "another team" in page, path  # someone is on it


def test_an_operator_sees_and_assigns_everyone(client: Client, shared: Incident) -> None:
    client.force_login(platform_operator(User.objects.create_user("ops", is_superuser=True)))
    page = client.get(f"/incidents/{shared.pk}/").content.decode()
    assert 'value="zalpha-member"' in page and 'value="zbravo-member"' in page
    client.post(f"/incidents/{shared.pk}/assign/", {"assignee": "zalpha-member"})
    shared.refresh_from_db()
    assert shared.assignee == User.objects.get(username="zalpha-member")


def test_a_members_change_keeps_the_incidents_title(bravo: Client, shared: Incident) -> None:
    """The member is shown "on several labs"; acknowledging must not save that."""
    assert "on several labs" in bravo.get(f"/incidents/{shared.pk}/").content.decode()
    for action, data in (
        ("acknowledge", {}),
        ("assign", {"assignee": ""}),
        ("notes", {"text": "x"}),
    ):
        response = bravo.post(f"/incidents/{shared.pk}/{action}/", data)
        assert response.status_code == 302, action
    shared.refresh_from_db()
    assert shared.status == Incident.Status.ACKNOWLEDGED
    assert shared.title == TITLE
    assert shared.severity_factors == {"attendees": 5, "labs": 2}
