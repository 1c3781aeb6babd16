"""The pause switches and maintenance windows: page, API, audit and header banner."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from labs.models import Cluster
from remediation.models import AuditEntry, MaintenanceWindow, RemediationPause
from stargate.apikeys import api_key_create

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
API = "/api/v1/remediation/pause"


def _grant(user: User, *codenames: str) -> User:
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return User.objects.get(pk=user.pk)  # drop the permission cache


def test_it_pauses_and_resumes_from_the_page_audited(client: Client, operator) -> None:
    cluster = Cluster.objects.create(name="east1", api_url="https://127.0.0.1:1")
    client.force_login(operator)
    assert client.get("/remediation/pause/").status_code == 403
    assert (
        client.post("/remediation/pause/set/", {"paused": "on", "reason": "x"}).status_code == 403
    )
    client.force_login(_grant(operator, "view_remediationpause", "change_remediationpause"))
    assert 'id="pause-east1"' in client.get("/remediation/pause/").content.decode()
    client.post(
        "/remediation/pause/set/", {"paused": "on", "reason": "upgrade", "cluster": "east1"}
    )
    assert RemediationPause.objects.get(cluster=cluster).paused
    banner = client.get("/remediation/pause/banner/").content.decode()
    assert "Remediation paused" in banner and "cluster east1 (upgrade)" in banner
    client.post("/remediation/pause/set/", {"paused": "off", "cluster": "east1"})
    assert not RemediationPause.objects.get(cluster=cluster).paused
    assert "Remediation paused" not in client.get("/remediation/pause/banner/").content.decode()
    entries = AuditEntry.objects.filter(event=AuditEntry.Event.PAUSE).order_by("pk")
    assert [e.intent for e in entries] == [
        "remediation paused on cluster east1: upgrade",
        "remediation resumed on cluster east1",
    ]
    assert entries[0].result["before"] == {"paused": False, "reason": ""}
    assert entries[0].result["after"] == {"paused": True, "reason": "upgrade"}
    assert entries[0].username == "bob"


def test_it_needs_a_reason_to_pause(client: Client, operator) -> None:
    client.force_login(_grant(operator, "view_remediationpause", "change_remediationpause"))
    response = client.post("/remediation/pause/set/", {"paused": "on"}, follow=True)
    assert "Say why remediation is paused." in response.content.decode()
    assert not RemediationPause.objects.filter(paused=True).exists()


def test_the_header_loads_the_banner_on_every_page(client: Client, operator) -> None:
    client.force_login(operator)
    page = client.get("/labs/").content.decode()
    assert 'hx-get="/remediation/pause/banner/"' in page


def test_it_pauses_globally_through_the_api(client: Client, approver, operator) -> None:
    token = api_key_create(name="a", owner=approver, scopes=["approve"]).token
    headers = {"Authorization": f"Bearer {token}"}
    body = {"paused": True, "reason": "incident 7"}
    refused = client.post(API, body, content_type="application/json", headers=headers)
    assert refused.status_code == 403  # the owner lacks change_remediationpause
    _grant(approver, "change_remediationpause")
    read_only = api_key_create(name="r", owner=approver, scopes=["read"]).token
    assert (
        client.post(
            API,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {read_only}"},
        ).status_code
        == 403
    )
    bad = client.post(API, {"paused": True}, content_type="application/json", headers=headers)
    assert bad.status_code == 400
    response = client.post(API, body, content_type="application/json", headers=headers)
    assert response.status_code == 200
    assert response.json()["paused"][0]["cluster"] is None
    assert client.get(API, headers={"Authorization": f"Bearer {read_only}"}).json()["paused"]
    entry = AuditEntry.objects.get(event=AuditEntry.Event.PAUSE)
    assert (entry.source, entry.username, entry.intent) == (
        "api",
        "alice",
        "remediation paused globally: incident 7",
    )


def test_it_adds_and_removes_maintenance_windows_audited(client: Client, operator) -> None:
    Cluster.objects.create(name="east1", api_url="https://127.0.0.1:1")
    client.force_login(
        _grant(
            operator,
            "view_remediationpause",
            "change_remediationpause",
            "add_maintenancewindow",
            "delete_maintenancewindow",
        )
    )
    form = {"starts_at": "2030-01-01T10:00", "ends_at": "2030-01-01T09:00", "reason": "r"}
    assert client.post("/remediation/pause/windows/", form).status_code == 400
    form["ends_at"] = "2030-01-01T12:00"
    assert client.post("/remediation/pause/windows/", form).status_code == 302
    window = MaintenanceWindow.objects.get()
    assert f'id="window-{window.pk}"' in client.get("/remediation/pause/").content.decode()
    client.post(f"/remediation/pause/windows/{window.pk}/delete/")
    assert not MaintenanceWindow.objects.exists()
    intents = list(
        AuditEntry.objects.filter(event=AuditEntry.Event.WINDOW).values_list("intent", flat=True)
    )
    assert [i.split(":")[0] for i in intents] == [
        "maintenance window added",
        "maintenance window removed",
    ]
