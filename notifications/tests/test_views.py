"""The pages: channels and routes, deliveries, dead letters with retry; login required,
team-scoped, credentials never shown, a bounded number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from incidents.models import Incident
from labs.models import Team
from labs.tests.factories import platform_operator
from notifications.models import Channel, Notification

from .factories import ROUTING_KEY, channel, incident, member_lab

pytestmark = pytest.mark.django_db
SLACK = "http://127.0.0.1:9/services/T0/B0/secret-token-123"
State = Notification.State


def user(name: str, *perms: str, team: Team | None = None, operator: bool = False) -> Client:
    row = User.objects.create_user(name, password="pw")
    for codename in perms:
        row.user_permissions.add(Permission.objects.get(codename=codename))
    if team is not None:
        team.members.add(row)
    if operator:
        platform_operator(row)
    client = Client()
    client.force_login(row)
    return client


@pytest.fixture
def teams() -> dict[str, Any]:
    web, db = Team.objects.create(name="web"), Team.objects.create(name="db")
    channel("web-slack", Channel.Kind.SLACK, SLACK, team=web, routes=[{"team": web}])
    channel("db-pager", Channel.Kind.PAGERDUTY, secret=ROUTING_KEY, team=db, routes=[{"team": db}])
    incident("Node a on east", members=[member_lab("east", "web-lab", web)])
    incident("Node b on east", members=[member_lab("east", "db-lab", db)])
    Notification.objects.filter(channel__name="db-pager").update(state=State.DEAD, attempts=40)
    return {"web": web, "db": db}


def test_pages_need_a_login(teams: dict[str, Any]) -> None:
    for path in ("/notifications/", "/notifications/deliveries/", "/notifications/dead-letters/"):
        response = Client().get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_team_sees_its_channels_and_deliveries_only(teams: dict[str, Any]) -> None:
    client = user("wendy", team=teams["web"])
    html = client.get("/notifications/").content.decode()
    assert "web-slack" in html and "db-pager" not in html
    html = client.get("/notifications/deliveries/").content.decode()
    assert "Node a on east" in html and "Node b on east" not in html
    assert "Node b" not in client.get("/notifications/dead-letters/").content.decode()


def test_credentials_are_never_shown(teams: dict[str, Any]) -> None:
    client = user("olivia", operator=True)
    html = client.get("/notifications/").content.decode()
    assert "secret-token-123" not in html and ROUTING_KEY not in html
    assert "http://127.0.0.1/…" in html and "https://events.pagerduty.com/…" in html


def test_the_pages_stay_within_ten_queries(
    teams: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = user("olivia", operator=True)
    for n in range(20):
        incident(f"Node x{n} on east", members=[member_lab("east", "web-lab")])
    for path in ("/notifications/", "/notifications/deliveries/", "/notifications/dead-letters/"):
        client.get(path)  # the session and the audience are read once per request anyway
        with django_assert_max_num_queries(10):
            assert client.get(path).status_code == 200


def test_a_dead_letter_is_retried_by_a_permitted_user_who_sees_it(teams: dict[str, Any]) -> None:
    dead = Notification.objects.get(channel__name="db-pager")
    html = user("olivia", operator=True).get("/notifications/dead-letters/").content.decode()
    assert f'id="delivery-{dead.pk}"' in html and "Retry" not in html  # no permission
    other = user("wendy", "change_notification", team=teams["web"])
    assert other.post(f"/notifications/deliveries/{dead.pk}/retry/").status_code == 404
    client = user("dan", "change_notification", team=teams["db"])
    assert "Retry" in client.get("/notifications/dead-letters/").content.decode()
    response = client.post(f"/notifications/deliveries/{dead.pk}/retry/")
    assert response.status_code == 302
    dead.refresh_from_db()
    assert (dead.state, dead.attempts) == (State.PENDING, 0)
    assert dead.next_attempt_at <= timezone.now()


def test_the_incident_page_lists_the_messages_sent_about_it(
    teams: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    web_incident = Incident.objects.get(title="Node a on east")
    db_incident = Incident.objects.get(title="Node b on east")
    client = user("wendy", team=teams["web"])
    page = client.get(f"/incidents/{web_incident.pk}/").content.decode()
    assert f'hx-get="/notifications/incidents/{web_incident.pk}/"' in page
    with django_assert_max_num_queries(10):
        html = client.get(f"/notifications/incidents/{web_incident.pk}/").content.decode()
    assert "web-slack" in html and "opened" in html
    assert client.get(f"/notifications/incidents/{db_incident.pk}/").status_code == 404
