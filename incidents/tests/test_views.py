"""Incident pages: list, detail, acknowledge, assign, notes, silences; the fleet overview's
open incidents; the effectiveness page's resolution profiles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from incidents.models import Incident, Silence
from incidents.pipeline import events_process
from labs.tests.factories import platform_operator

from .factories import change, cluster, lab_instance, node

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def operator(db: None) -> User:
    user = User.objects.create_user("olivia", password="pw")
    for codename in ("change_incident", "add_silence", "change_silence", "view_actionrequest"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return platform_operator(user)  # sees every lab (teams: dashboard/tests)


@pytest.fixture
def client_in(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def incident() -> Incident:
    now = timezone.now()
    for i in range(4):
        lab = lab_instance(f"sandbox-v{i}-web", node="worker-1")
        change(lab, "warn", "cluster-nodes-not-ready", rubric="cluster-health", at=now)
    node(cluster(), "worker-1", ready=False)
    events_process(now)
    return Incident.objects.get()


def test_the_list_and_the_fleet_overview_show_the_open_incident(
    client_in: Client, incident: Incident
) -> None:
    html = client_in.get("/incidents/").content.decode()
    assert f'id="incident-row-{incident.pk}"' in html and "Node worker-1 on east" in html
    assert 'ws-connect="/ws/incidents/"' in html
    assert 'hx-get="/incidents/open/"' in client_in.get("/").content.decode()
    fragment = client_in.get("/incidents/open/").content.decode()
    assert "Open incidents" in fragment and incident.title in fragment


def test_the_detail_shows_members_severity_factors_and_timeline(
    client_in: Client, incident: Incident
) -> None:
    html = client_in.get(f"/incidents/{incident.pk}/").content.decode()
    assert html.count("sandbox-v") >= 4
    assert 'id="severity-factors"' in html and "cluster-nodes-not-ready (high)" in html
    assert "opened: Same node" in html


def test_acknowledge_assign_and_note(client_in: Client, incident: Incident, operator: User) -> None:
    url = f"/incidents/{incident.pk}/"
    assert client_in.post(url + "acknowledge/").status_code == 302
    assert client_in.post(url + "acknowledge/").status_code == 409
    assert client_in.post(url + "assign/", {"assignee": "olivia"}).status_code == 302
    assert client_in.post(url + "notes/", {"text": "rebooting worker-1"}).status_code == 302
    assert client_in.post(url + "notes/", {"text": " "}).status_code == 400
    incident.refresh_from_db()
    assert incident.status == "acknowledged" and incident.assignee == operator
    texts = list(incident.timeline.values_list("text", flat=True))
    assert "olivia: rebooting worker-1" in texts and "acknowledged by olivia" in texts


def test_changes_need_the_permission(incident: Incident) -> None:
    client = Client()
    client.force_login(platform_operator(User.objects.create_user("viewer")))
    assert client.get(f"/incidents/{incident.pk}/").status_code == 200
    assert client.post(f"/incidents/{incident.pk}/acknowledge/").status_code == 403
    assert (
        client.post("/incidents/silences/", {"failure_class": "x", "reason": "r"}).status_code
        == 403
    )


def test_anonymous_visitors_go_to_the_login_page(incident: Incident) -> None:
    response = Client().get(f"/incidents/{incident.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_silences_page_adds_and_ends_a_silence(client_in: Client) -> None:
    until = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    east = cluster()
    response = client_in.post(
        "/incidents/silences/", {"cluster": east.pk, "reason": "upgrade", "expires_at": until}
    )
    assert response.status_code == 302
    silence = Silence.objects.get()
    assert silence.cluster == east and silence.created_by is not None
    empty = client_in.post("/incidents/silences/", {"reason": "x", "expires_at": until})
    assert empty.status_code == 400 and "Silence a cluster" in empty.content.decode()
    assert client_in.post(f"/incidents/silences/{silence.pk}/expire/").status_code == 302
    silence.refresh_from_db()
    assert silence.expires_at <= timezone.now()


def test_the_effectiveness_page_shows_resolution_profiles(client_in: Client, settings: Any) -> None:
    now = timezone.now()
    for i in range(10):
        lab = lab_instance(f"sandbox-p{i}-web")
        change(lab, "failed", "crashloop", at=now - timedelta(minutes=20))
        change(lab, "ready", at=now - timedelta(minutes=18), before="failed")
    events_process(now)
    html = client_in.get("/remediation/effectiveness/").content.decode()
    assert 'id="resolution-profiles"' in html
    row = html.split('id="resolution-profiles"')[1]
    assert "ocp-workshop" in row and "crashloop" in row and "watch and wait" in row
    assert "120 s" in row and "100 %" in row


def test_incidents_are_scoped_by_the_labs_a_user_sees(client: Client, incident: Incident) -> None:
    # A user of no team sees no lab, so no incident (dashboard/tests/test_team_isolation.py has
    # the teams: a shared incident shows a member their labs, counted alone).
    client.force_login(User.objects.create_user("nobody", password="pw-nobody-1234"))
    assert client.get(f"/incidents/{incident.pk}/").status_code == 404
    assert incident.title not in client.get("/incidents/").content.decode()
