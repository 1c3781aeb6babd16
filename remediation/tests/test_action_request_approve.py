from __future__ import annotations

import threading

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remediation.models import ActionRequest, AuditEntry
from remediation.services import (
    ActionAlreadyDecided,
    action_request_approve,
    action_request_create,
    action_request_reject,
    action_requests_expire,
)
from remediation.tests.conftest import make_lab_instance

pytestmark = pytest.mark.smoke
Status = ActionRequest.Status


def _pending(catalog, namespace: str = "sandbox-abc12-web") -> ActionRequest:  # type: ignore[no-untyped-def]
    instance = make_lab_instance(namespace=namespace)
    request = action_request_create(
        lab_instance=instance,
        action=catalog["rollout-restart-deployment"],
        failure_class="deployment-not-ready",
        parameters={"deployment": "web"},
    )
    assert request.status == Status.PENDING
    return request


@pytest.mark.django_db
def test_it_approves_and_executes_once(catalog, approver, django_capture_on_commit_callbacks):
    request = _pending(catalog)
    with django_capture_on_commit_callbacks(execute=True):
        action_request_approve(action_request=request, approver=approver, reason="looks right")
    request.refresh_from_db()
    assert request.status == Status.SUCCEEDED
    assert request.decided_by == approver
    before = request.audit_entries.get(event=AuditEntry.Event.BEFORE)
    assert before.username == "alice"
    assert before.gates == request.decision


@pytest.mark.django_db
def test_it_refuses_a_second_decision(catalog, approver, second_approver) -> None:
    request = _pending(catalog)
    action_request_reject(action_request=request, approver=approver, reason="not now")
    with pytest.raises(ActionAlreadyDecided):
        action_request_approve(action_request=request, approver=second_approver)
    request.refresh_from_db()
    assert request.status == Status.REJECTED
    assert request.reason == "not now"


@pytest.mark.django_db
def test_it_expires_to_doing_nothing(catalog, approver) -> None:
    request = _pending(catalog)
    ActionRequest.objects.filter(pk=request.pk).update(expires_at=request.created_at)
    assert action_requests_expire() == 1
    request.refresh_from_db()
    assert request.status == Status.EXPIRED
    assert not request.audit_entries.filter(event=AuditEntry.Event.BEFORE).exists()
    with pytest.raises(ActionAlreadyDecided):
        action_request_approve(action_request=request, approver=approver)


def _approve_in_thread(pk: int, user, barrier: threading.Barrier, won: list[object]) -> None:  # type: ignore[no-untyped-def]
    try:
        barrier.wait()
        action_request_approve(action_request=ActionRequest.objects.get(pk=pk), approver=user)
        won.append(pk)
    except ActionAlreadyDecided:
        pass
    except Exception as exc:  # e.g. "database is locked": a loser must lose cleanly, not crash
        won.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(approvers=st.integers(min_value=2, max_value=4), seq=st.integers(0, 10**6))
def test_it_executes_once_when_approvers_click_at_the_same_time(
    catalog, approver, second_approver, approvers: int, seq: int
) -> None:
    request = _pending(catalog, namespace=f"sandbox-x{seq}-{approvers}-web")
    barrier, won = threading.Barrier(approvers), []
    users = [approver, second_approver] * approvers
    threads = [
        threading.Thread(target=_approve_in_thread, args=(request.pk, users[i], barrier, won))
        for i in range(approvers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    request.refresh_from_db()
    assert won == [request.pk]
    assert request.status == Status.SUCCEEDED
    assert request.audit_entries.filter(event=AuditEntry.Event.APPROVED).count() == 1
    assert request.audit_entries.filter(event=AuditEntry.Event.BEFORE).count() == 1
    assert request.audit_entries.filter(event=AuditEntry.Event.AFTER).count() == 1
