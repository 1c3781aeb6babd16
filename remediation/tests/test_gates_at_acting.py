"""Every gate again on current state, at approval (page and API) and just before execution."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from labs.models import LabInstance, Status
from remediation.models import ActionRequest, AuditEntry, MaintenanceWindow
from remediation.pauses import remediation_pause_set
from remediation.services import action_request_approve, action_request_create
from remediation.tests.conftest import make_lab_instance
from rubrics_app.models import Evaluation
from scanning.models import LabEvidence
from stargate.apikeys import api_key_create

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
S = ActionRequest.Status
CLASS = "deployment-not-ready"


def _verdict(instance: LabInstance, outcome: str = "failed", failure_class: str = CLASS) -> None:
    Evaluation.objects.update_or_create(
        lab_instance=instance,
        rubric_id="deployment-ready",
        defaults={
            "outcome": outcome,
            "failure_class": failure_class,
            "evaluated_at": timezone.now(),
        },
    )


def _pending(catalog) -> ActionRequest:  # type: ignore[no-untyped-def]
    instance = make_lab_instance()
    _verdict(instance)
    request = action_request_create(
        lab_instance=instance,
        action=catalog["rollout-restart-deployment"],
        failure_class=CLASS,
        parameters={"deployment": "web"},
    )
    assert request.status == S.PENDING  # medium risk in low_risk_auto
    return request


def _api_approve(client: Client, user: User, request: ActionRequest):  # type: ignore[no-untyped-def]
    token = api_key_create(name="ci", owner=user, scopes=["approve"]).token
    return client.post(
        f"/api/v1/remediation/requests/{request.pk}/approve",
        {"reason": "CHG-1"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _page_approve(client: Client, user: User, request: ActionRequest):  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client.post(
        f"/remediation/approvals/{request.pk}/decide/",
        {"decision": "approve", "reason": "CHG-1"},
        HTTP_HX_REQUEST="true",
    )


def _never_ran(request: ActionRequest) -> None:
    request.refresh_from_db()
    assert not request.audit_entries.filter(event=AuditEntry.Event.BEFORE).exists()
    assert request.status in {S.PENDING, S.REJECTED, S.OBSOLETE}


def _disable(request: ActionRequest, settings=None) -> str:
    request.action.enabled = False
    request.action.save()
    return "rollout-restart-deployment is disabled"


def _recommend_only(request: ActionRequest, settings=None) -> str:
    lab = request.lab_instance.lab
    lab.execution_mode = "recommend_only"
    lab.save()
    return "the lab is recommend_only"


def _unreachable(request: ActionRequest, settings=None) -> str:
    cluster = request.lab_instance.cluster
    cluster.reachable = False
    cluster.save()
    LabInstance.objects.filter(cluster=cluster).update(status=Status.STALE)
    return "the cluster is unreachable"


def _allow_list(request: ActionRequest, settings=None) -> str:  # type: ignore[no-untyped-def]
    settings.REMEDIATION_ALLOWED_PREFIXES = ["other-"]
    return "is not in the allow-list"


def _stopping(request: ActionRequest, settings=None) -> str:
    now = timezone.now()
    subject = {"metadata": {"name": "s"}, "spec": {"vars": {"current_state": "stopping"}}}
    LabEvidence.objects.create(
        lab_instance=request.lab_instance,
        evidence={"objects": {"anarchysubjects": [subject]}},
        content_hash="x",
        collected_at=now,
        changed_at=now,
    )
    return "AnarchySubject is stopping"


def _paused(request: ActionRequest, settings=None) -> str:
    remediation_pause_set(
        cluster=request.lab_instance.cluster,
        paused=True,
        reason="storage upgrade",
        user=User.objects.create_user("ops"),
    )
    return "remediation paused on cluster sim1: storage upgrade"


def _window(request: ActionRequest, settings=None) -> str:
    now = timezone.now()
    MaintenanceWindow.objects.create(
        lab=request.lab_instance.lab,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=1),
        reason="content refresh",
    )
    return "maintenance window until"


CHANGES = [_disable, _recommend_only, _unreachable, _allow_list, _stopping, _paused, _window]


@pytest.mark.parametrize("change", CHANGES)
def test_the_api_refuses_an_approval_that_a_gate_now_refuses(
    change, client: Client, catalog, approver, settings, django_capture_on_commit_callbacks
) -> None:
    request = _pending(catalog)
    reason = change(request, settings)
    with django_capture_on_commit_callbacks(execute=True):
        response = _api_approve(client, approver, request)
    assert response.status_code == 409, response.content
    assert reason in response.json()["error"]
    assert response.json()["request"]["status"] == "pending"
    _never_ran(request)
    assert request.status == S.PENDING
    refused = request.audit_entries.get(event=AuditEntry.Event.REFUSED)
    assert (refused.ok, refused.source, refused.username) == (False, "api", "alice")
    assert reason in refused.intent


@pytest.mark.parametrize("change", [_disable, _recommend_only, _unreachable, _paused])
def test_the_page_refuses_an_approval_that_a_gate_now_refuses(
    change, client: Client, catalog, approver, settings, django_capture_on_commit_callbacks
) -> None:
    request = _pending(catalog)
    reason = change(request, settings)
    with django_capture_on_commit_callbacks(execute=True):
        response = _page_approve(client, approver, request)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Not approved: " in body and reason in body
    _never_ran(request)


@pytest.mark.parametrize("change", CHANGES)
def test_the_executor_refuses_what_changed_after_the_approval(
    change, catalog, approver, settings, django_capture_on_commit_callbacks
) -> None:
    request = _pending(catalog)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        action_request_approve(action_request=request, approver=approver, reason="go")
    reason = change(request, settings)
    for callback in queued:
        callback()  # the worker picks it up now
    _never_ran(request)
    assert request.status == S.REJECTED
    assert request.reason.startswith("refused at execution: ")
    assert reason in request.reason
    assert request.audit_entries.filter(event=AuditEntry.Event.REFUSED, ok=False).exists()


def test_a_cleared_failure_makes_the_request_obsolete(
    client: Client, catalog, approver, django_capture_on_commit_callbacks
) -> None:
    request = _pending(catalog)
    _verdict(request.lab_instance, outcome="ready", failure_class="")
    with django_capture_on_commit_callbacks(execute=True):
        response = _api_approve(client, approver, request)
    assert response.status_code == 409
    assert response.json()["obsolete"] is True
    assert response.json()["request"]["status"] == "obsolete"
    _never_ran(request)
    assert request.status == S.OBSOLETE
    assert request.audit_entries.filter(event=AuditEntry.Event.OBSOLETE).count() == 1


def test_another_failure_class_now_also_makes_it_obsolete(
    catalog, approver, django_capture_on_commit_callbacks
) -> None:
    request = _pending(catalog)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        action_request_approve(action_request=request, approver=approver, reason="go")
    _verdict(request.lab_instance, failure_class="rollout-stuck")
    for callback in queued:
        callback()
    _never_ran(request)
    assert request.status == S.OBSOLETE


def test_it_executes_when_the_gates_still_pass(
    client: Client, catalog, approver, django_capture_on_commit_callbacks
) -> None:
    request = _pending(catalog)
    with django_capture_on_commit_callbacks(execute=True):
        response = _api_approve(client, approver, request)
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == S.SUCCEEDED


def test_a_paused_pass_refuses_with_the_reason(catalog) -> None:
    instance = make_lab_instance()
    remediation_pause_set(
        cluster=None, paused=True, reason="incident 7", user=User.objects.create_user("ops")
    )
    request = action_request_create(
        lab_instance=instance,
        action=catalog["restart-pod"],
        failure_class="crashloop",
        parameters={"pod": "web-1"},
    )
    assert request.status == S.REJECTED
    assert request.reason == "remediation paused globally: incident 7"


def test_it_still_rejects_without_any_gate(catalog, approver) -> None:
    from remediation.services import action_request_reject

    request = _pending(catalog)
    _disable(request)
    action_request_reject(action_request=request, approver=approver, reason="no")
    request.refresh_from_db()
    assert request.status == S.REJECTED
