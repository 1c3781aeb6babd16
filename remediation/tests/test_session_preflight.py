"""The pre-flight gate's session rule, with sessions from forecasting.Session."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from forecasting.models import Session
from labs.models import Cluster, LabInstance
from remediation.models import ActionRequest, AuditEntry
from remediation.services import GateRefused, action_request_approve, action_request_create
from remediation.tests.conftest import make_lab_instance

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
Status = ActionRequest.Status
HOUR = dt.timedelta(hours=1)
SESSION_REASON = "a session is running: not session-safe"


def _session(instance: LabInstance, *, start: dt.timedelta = -HOUR, **fields) -> Session:  # type: ignore[no-untyped-def]
    starts_at = timezone.now() + start
    return Session.objects.create(
        lab=instance.lab,
        name="Summit lab",
        starts_at=starts_at,
        ends_at=starts_at + 2 * HOUR,
        **fields,
    )


def _restart_deployment(catalog, instance: LabInstance) -> ActionRequest:  # type: ignore[no-untyped-def]
    return action_request_create(
        lab_instance=instance,
        action=catalog["rollout-restart-deployment"],
        failure_class="deployment-not-ready",
        parameters={"deployment": "web"},
    )


def _preflight(request: ActionRequest) -> dict[str, str]:
    return next(gate for gate in request.decision if gate["gate"] == "preflight")


def test_it_refuses_an_action_that_is_not_session_safe_during_a_session(catalog) -> None:
    instance = make_lab_instance(mode="full_auto")
    _session(instance)
    request = _restart_deployment(catalog, instance)
    assert request.status == Status.REJECTED
    assert _preflight(request) == {
        "gate": "preflight",
        "outcome": "refuse",
        "reason": SESSION_REASON,
    }
    assert SESSION_REASON in request.reason
    requested = request.audit_entries.get(event=AuditEntry.Event.REQUESTED)
    assert not requested.ok
    assert SESSION_REASON in [g["reason"] for g in requested.gates]


def test_it_runs_the_same_action_outside_the_session(catalog) -> None:
    instance = make_lab_instance(mode="full_auto")
    _session(instance, start=HOUR)  # starts in an hour
    request = _restart_deployment(catalog, instance)
    assert request.status == Status.APPROVED
    assert _preflight(request)["outcome"] == "execute"


def test_it_leaves_session_safe_actions_alone_during_a_session(catalog) -> None:
    instance = make_lab_instance(mode="low_risk_auto")
    _session(instance)
    request = action_request_create(
        lab_instance=instance,
        action=catalog["restart-pod"],
        failure_class="crashloop",
        parameters={"pod": "web-1"},
    )
    assert request.status == Status.APPROVED
    assert _preflight(request)["reason"] == "pre-flight checks passed"


def test_it_ignores_a_session_on_another_cluster(catalog) -> None:
    instance = make_lab_instance(mode="full_auto")
    other = Cluster.objects.create(name="elsewhere", api_url="https://127.0.0.1:2")
    _session(instance, cluster=other)
    assert _restart_deployment(catalog, instance).status == Status.APPROVED


def test_it_does_not_execute_an_approval_once_a_session_has_started(
    catalog, approver, django_capture_on_commit_callbacks
) -> None:
    instance = make_lab_instance(mode="low_risk_auto")
    request = _restart_deployment(catalog, instance)
    assert request.status == Status.PENDING  # medium risk in low_risk_auto
    with django_capture_on_commit_callbacks(execute=False) as queued:
        action_request_approve(action_request=request, approver=approver, reason="go")
    _session(instance)  # starts between the approval and the worker picking it up
    for callback in queued:
        callback()
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    assert request.reason == f"refused at execution: {SESSION_REASON}"
    events = list(request.audit_entries.values_list("event", flat=True))
    assert events == ["requested", "approved", "refused"]  # never a before-entry


def test_it_refuses_to_approve_during_a_session(catalog, approver) -> None:
    instance = make_lab_instance(mode="low_risk_auto")
    request = _restart_deployment(catalog, instance)
    _session(instance)
    with pytest.raises(GateRefused, match=SESSION_REASON):
        action_request_approve(action_request=request, approver=approver, reason="go")
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (Status.PENDING, None)
    refused = request.audit_entries.get(event=AuditEntry.Event.REFUSED)
    assert (refused.ok, refused.username) == (False, "alice")
