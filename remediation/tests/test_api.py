from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from remediation.models import ActionRequest, AuditEntry
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance
from stargate.apikeys import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db
Status = ActionRequest.Status
LIST = "/api/v1/remediation/requests"


def _pending(catalog, namespace: str = "sandbox-abc12-web") -> ActionRequest:  # type: ignore[no-untyped-def]
    return action_request_create(
        lab_instance=make_lab_instance(namespace=namespace),
        action=catalog["rollout-restart-deployment"],
        failure_class="deployment-not-ready",
        parameters={"deployment": "web"},
    )


def _token(owner: User, scope: str) -> str:
    return api_key_create(name=f"robot-{scope}", owner=owner, scopes=[scope]).token


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_it_lists_requests_with_filters(client: Client, catalog, operator) -> None:
    first = _pending(catalog)
    second = _pending(catalog, namespace="sandbox-zzz99-web")
    token = _token(operator, "read")
    body = client.get(LIST, headers=_auth(token)).json()
    assert body["count"] == 2
    assert [r["id"] for r in body["results"]] == [second.pk, first.pk]
    only = client.get(LIST, {"namespace": "sandbox-abc12-web"}, headers=_auth(token)).json()
    assert [r["id"] for r in only["results"]] == [first.pk]
    assert only["results"][0]["status"] == "pending"
    assert only["results"][0]["action"] == "rollout-restart-deployment"
    none = client.get(LIST, {"status": "succeeded"}, headers=_auth(token)).json()
    assert none == {"count": 0, "results": []}


def test_it_refuses_bad_filters(client: Client, catalog, operator) -> None:
    token = _token(operator, "read")
    assert client.get(LIST, {"status": "nope"}, headers=_auth(token)).status_code == 400
    assert client.get(LIST, {"limit": "x"}, headers=_auth(token)).status_code == 400
    assert client.get(LIST, {"since": "2026-01-01"}, headers=_auth(token)).status_code == 400


def test_it_shows_one_request_with_its_gates(client: Client, catalog, operator) -> None:
    request = _pending(catalog)
    token = _token(operator, "read")
    body = client.get(f"{LIST}/{request.pk}", headers=_auth(token)).json()
    assert body["id"] == request.pk
    assert {g["gate"] for g in body["gates"]} >= {"namespace", "risk", "preflight"}
    assert client.get(f"{LIST}/999999", headers=_auth(token)).status_code == 404


def test_it_refuses_wrong_and_revoked_keys(client: Client, catalog, approver) -> None:
    request = _pending(catalog)
    created = api_key_create(name="ci", owner=approver, scopes=["approve"])
    wrong = created.token[:-2] + ("aa" if not created.token.endswith("aa") else "bb")
    url = f"{LIST}/{request.pk}/approve"
    assert client.post(url, headers=_auth(wrong)).status_code == 401
    api_key_revoke(api_key=created.api_key)
    response = client.post(url, headers=_auth(created.token))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["error"] == response.json()["detail"] == "This API key has been revoked"
    assert client.get(LIST, headers=_auth(created.token)).status_code == 401
    request.refresh_from_db()
    assert request.status == Status.PENDING


def test_it_refuses_a_read_scope_key_to_approve(client: Client, catalog, approver) -> None:
    request = _pending(catalog)
    token = _token(approver, "read")
    response = client.post(f"{LIST}/{request.pk}/approve", headers=_auth(token))
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == Status.PENDING


def test_it_refuses_an_approve_key_whose_owner_cannot_approve(
    client: Client, catalog, operator
) -> None:
    request = _pending(catalog)
    token = _token(operator, "approve")
    response = client.post(f"{LIST}/{request.pk}/approve", headers=_auth(token))
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == Status.PENDING


def test_it_approves_as_the_keys_owner_with_source_api(
    client: Client, catalog, approver, django_capture_on_commit_callbacks
) -> None:
    request = _pending(catalog)
    token = _token(approver, "approve")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{LIST}/{request.pk}/approve",
            {"reason": "ticket 42"},
            content_type="application/json",
            headers=_auth(token),
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"  # execution is queued after commit
    request.refresh_from_db()
    assert request.status == Status.SUCCEEDED
    assert (request.decided_by, request.reason) == (approver, "ticket 42")
    approved = request.audit_entries.get(event=AuditEntry.Event.APPROVED)
    assert (approved.source, approved.username) == ("api", "alice")


def test_it_rejects_with_a_reason_and_requires_one(client: Client, catalog, approver) -> None:
    request = _pending(catalog)
    token = _token(approver, "approve")
    url = f"{LIST}/{request.pk}/reject"
    assert client.post(url, headers=_auth(token)).status_code == 400
    approve = client.post(f"{LIST}/{request.pk}/approve", {"reason": " "}, headers=_auth(token))
    assert approve.status_code == 400
    bad = client.post(url, "{", content_type="application/json", headers=_auth(token))
    assert bad.status_code == 400
    response = client.post(url, {"reason": "wrong lab"}, headers=_auth(token))
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("rejected", "wrong lab")
    assert request.audit_entries.get(event=AuditEntry.Event.REJECTED).source == "api"


def test_it_answers_409_when_already_decided(client: Client, catalog, approver) -> None:
    request = _pending(catalog)
    token = _token(approver, "approve")
    client.post(f"{LIST}/{request.pk}/reject", {"reason": "no"}, headers=_auth(token))
    response = client.post(f"{LIST}/{request.pk}/approve", {"reason": "go"}, headers=_auth(token))
    assert response.status_code == 409
    assert response.json()["request"]["status"] == "rejected"


def test_it_executes_once_when_approved_through_the_api_and_the_ui(
    client: Client, catalog, approver, second_approver, django_capture_on_commit_callbacks
) -> None:
    request = _pending(catalog)
    token = _token(approver, "approve")
    with django_capture_on_commit_callbacks(execute=True):
        api = client.post(f"{LIST}/{request.pk}/approve", {"reason": "go"}, headers=_auth(token))
    ui = Client()
    ui.force_login(second_approver)
    with django_capture_on_commit_callbacks(execute=True):
        page = ui.post(
            f"/remediation/approvals/{request.pk}/decide/",
            {"decision": "approve", "reason": "me too"},
            HTTP_HX_REQUEST="true",
        )
    assert (api.status_code, page.status_code) == (200, 409)
    request.refresh_from_db()
    assert request.status == Status.SUCCEEDED
    assert request.audit_entries.filter(event=AuditEntry.Event.BEFORE).count() == 1
    assert request.audit_entries.filter(event=AuditEntry.Event.APPROVED).count() == 1


def test_it_executes_once_when_approved_through_the_ui_then_the_api(
    client: Client, catalog, approver, django_capture_on_commit_callbacks
) -> None:
    request = _pending(catalog)
    client.force_login(approver)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/remediation/approvals/{request.pk}/decide/", {"decision": "approve", "reason": "go"}
        )
    token = _token(approver, "approve")
    response = Client().post(
        f"{LIST}/{request.pk}/approve", {"reason": "me too"}, headers=_auth(token)
    )
    assert response.status_code == 409
    assert request.audit_entries.filter(event=AuditEntry.Event.BEFORE).count() == 1
