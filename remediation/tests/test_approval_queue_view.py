from __future__ import annotations

import re

import pytest
from django.test import Client

from remediation.models import ActionRequest, RemediationAction
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
URL = "/remediation/approvals/"


def _pending(catalog) -> ActionRequest:  # type: ignore[no-untyped-def]
    return action_request_create(
        lab_instance=make_lab_instance(),
        action=catalog["rollout-restart-deployment"],
        failure_class="deployment-not-ready",
        parameters={"deployment": "web"},
        evidence={"objects": {"deployments": [{"metadata": {"name": "web"}}]}},
    )


def test_it_shows_the_queue_to_approvers(client: Client, approver, catalog) -> None:
    request = _pending(catalog)
    client.force_login(approver)
    body = client.get(URL).content.decode()
    assert f'id="approval-{request.pk}"' in body
    assert "deployment=web" in body
    assert "deployment-not-ready" in body
    nav = client.get("/remediation/approvals/nav/").content.decode()
    assert 'id="approval-count" class="badge-count">1<' in nav  # the header count


def test_it_refuses_users_without_the_permission(client: Client, operator, catalog) -> None:
    client.force_login(operator)
    assert client.get(URL).status_code == 403
    request = _pending(catalog)
    url = f"/remediation/approvals/{request.pk}/decide/"
    assert client.post(url, {"decision": "approve"}).status_code == 403
    assert client.get("/remediation/approvals/nav/").content.decode().strip() == ""


def test_it_approves_with_a_reason_and_answers_409_the_second_time(
    client: Client, approver, catalog, django_capture_on_commit_callbacks
) -> None:
    request = _pending(catalog)
    client.force_login(approver)
    url = f"/remediation/approvals/{request.pk}/decide/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "approve", "reason": "ok"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Succeeded" in response.content.decode() or "Approved" in response.content.decode()
    again = client.post(url, {"decision": "reject", "reason": "no"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 409
    request.refresh_from_db()
    assert request.status == ActionRequest.Status.SUCCEEDED
    assert request.reason == "ok"


def test_it_requires_csrf(approver, catalog) -> None:
    request = _pending(catalog)
    client = Client(enforce_csrf_checks=True)
    client.force_login(approver)
    response = client.post(f"/remediation/approvals/{request.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == ActionRequest.Status.PENDING


def test_it_shows_effectiveness(client: Client, approver, catalog) -> None:
    instance = make_lab_instance()
    for pod, recovered in (("a", True), ("b", False)):
        request = action_request_create(
            lab_instance=instance,
            action=catalog["restart-pod"],
            failure_class="crashloop",
            parameters={"pod": pod},
        )
        ActionRequest.objects.filter(pk=request.pk).update(
            status="succeeded", recovered=recovered, recovered_seconds=42.0
        )
    approver.user_permissions.add(*_view_perm())
    client.force_login(approver)
    body = client.get("/remediation/effectiveness/").content.decode()
    assert "crashloop" in body
    assert "100 %" in body
    assert "1 / 2" in body
    assert "42 s" in body


def _view_perm():  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(codename="view_actionrequest")


def test_it_listens_on_its_socket_without_polling_in_the_embedded_mode(
    client: Client, approver, catalog, settings
) -> None:
    """The relay carries approvals too: the page never polls, in either mode."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    request = _pending(catalog)
    client.force_login(approver)
    page = client.get(URL).content.decode()
    assert 'ws-connect="/ws/approvals/"' in page
    # One-shot loads only (each pending row's buttons, decided by the gates): nothing polls.
    triggers = re.findall(r'hx-trigger="([^"]+)"', page.split('id="approval-live"')[1])
    assert set(triggers) <= {"load"}
    assert f'id="approval-{request.pk}"' in page
    rows = client.get(URL + "?part=rows", HTTP_HX_REQUEST="true").content.decode()
    assert rows.lstrip().startswith('<tbody id="approval-rows"')
    assert "<html" not in rows


def test_it_applies_a_confirmed_graduation(client: Client, approver, catalog) -> None:
    from django.contrib.auth.models import Permission

    url = "/remediation/effectiveness/confirm/"
    form = {"action_id": "rollout-restart-deployment", "risk": "low"}
    client.force_login(approver)
    assert client.post(url, form).status_code == 403
    approver.user_permissions.add(Permission.objects.get(codename="change_remediationaction"))
    assert client.post(url, form).status_code == 302
    assert RemediationAction.objects.get(action_id="rollout-restart-deployment").risk == "low"
    assert client.post(url, {**form, "risk": "extreme"}).status_code == 400


def test_it_refuses_a_decision_without_a_reason_as_the_api_does(
    client: Client, approver, catalog
) -> None:
    request = _pending(catalog)
    client.force_login(approver)
    url = f"/remediation/approvals/{request.pk}/decide/"
    for decision in ("reject", "approve"):
        response = client.post(url, {"decision": decision, "reason": "  "}, HTTP_HX_REQUEST="true")
        assert response.status_code == 400
        assert "A decision needs a reason." in response.content.decode()
    request.refresh_from_db()
    assert request.status == ActionRequest.Status.PENDING
    full_page = client.post(url, {"decision": "reject"}, follow=True)
    assert "A decision needs a reason." in full_page.content.decode()


def test_it_answers_409_not_500_to_a_decision_on_a_recommendation(
    client: Client, approver, catalog
) -> None:
    recommended = action_request_create(
        lab_instance=make_lab_instance(mode="recommend_only"),
        action=catalog["restart-pod"],
        failure_class="crashloop",
        parameters={"pod": "web-1"},
    )
    assert recommended.status == ActionRequest.Status.RECOMMENDED
    client.force_login(approver)
    url = f"/remediation/approvals/{recommended.pk}/decide/"
    for decision in ("approve", "reject"):
        response = client.post(url, {"decision": decision, "reason": "x"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 409
        assert "A recommendation is not waiting for a decision." in response.content.decode()
    recommended.refresh_from_db()
    assert recommended.status == ActionRequest.Status.RECOMMENDED
