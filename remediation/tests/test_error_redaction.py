"""Executor and cluster error text is redacted before it is stored on a request or in the audit
log: an admission webhook, a probe or a rollback may echo a secret in its message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from remediation import execution, verification
from remediation.execution import action_execute
from remediation.executors.base import ExecutionResult, Executor
from remediation.models import ActionRequest, AuditEntry
from remediation.recheck import Recheck
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance
from remediation.verification import action_verify, verification_schedule

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
Status = ActionRequest.Status
T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
JWT = "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl"
SECRETS = {
    "hunter2-s3cret": "admission webhook denied the request: DB_PASSWORD=hunter2-s3cret",
    "ghp_" + "a1B2" * 9: "pod message: GITHUB_TOKEN=ghp_" + "a1B2" * 9,
    JWT: f"401: Authorization: Bearer {JWT}",
}


def _stored_text(request: ActionRequest) -> str:
    request.refresh_from_db()
    entries = AuditEntry.objects.filter(action_request=request)
    rows = [request.error, *entries.values_list("error", "intent", "result")]
    return repr(rows)


@pytest.mark.parametrize(("secret", "message"), SECRETS.items())
@override_settings(EXECUTION_TARGET="production")
def test_it_redacts_the_executor_s_error(catalog, monkeypatch, secret: str, message: str) -> None:
    class Refused(Executor):
        def run(self) -> ExecutionResult:
            raise RuntimeError(message)

    monkeypatch.setattr(execution, "executor_for", lambda method: Refused)
    request = action_request_create(
        lab_instance=make_lab_instance(),
        action=catalog["restart-pod"],
        failure_class="crashloop",
        parameters={"pod": "web-1"},
    )
    action_execute(action_request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.FAILED
    assert "[REDACTED]" in request.error
    assert secret not in _stored_text(request)


def _succeeded(action, **fields) -> ActionRequest:  # type: ignore[no-untyped-def]
    request = ActionRequest.objects.create(
        lab_instance=make_lab_instance(),
        action=action,
        status=Status.SUCCEEDED,
        failure_class="crashloop",
        source="auto",
        finished_at=T0,
        **{"parameters": {"pod": "web-1"}, "result": {"deleted_pod": "web-1"}, **fields},
    )
    verification_schedule(action_request=request, now=T0)
    return request


@pytest.mark.parametrize(("secret", "message"), SECRETS.items())
def test_it_redacts_a_failed_check_s_error(catalog, monkeypatch, secret: str, message: str) -> None:
    def broken(request: ActionRequest, context: object) -> Recheck:
        raise ConnectionError(message)

    monkeypatch.setitem(verification.PROBES, "kubernetes", broken)
    request = _succeeded(catalog["restart-pod"])
    request = action_verify(action_request_id=request.pk, now=T0 + dt.timedelta(hours=1))
    assert (request.recovered, request.escalated) == (False, True)
    assert "[REDACTED]" in _stored_text(request)
    assert secret not in _stored_text(request)


@pytest.mark.parametrize(("secret", "message"), SECRETS.items())
def test_it_redacts_a_check_s_reason(catalog, monkeypatch, secret: str, message: str) -> None:
    monkeypatch.setitem(verification.PROBES, "kubernetes", lambda r, c: Recheck(False, message))
    request = _succeeded(catalog["restart-pod"])
    action_verify(action_request_id=request.pk, now=T0 + dt.timedelta(hours=1))
    assert secret not in _stored_text(request)


@pytest.mark.parametrize(("secret", "message"), SECRETS.items())
def test_it_redacts_a_failed_rollback_s_error(
    catalog, monkeypatch, secret: str, message: str
) -> None:
    class RollbackRefused(Executor):
        def run(self) -> ExecutionResult:
            return ExecutionResult(detail={})

        def rollback(self, undo: dict[str, object]) -> dict[str, object]:
            raise RuntimeError(message)

    monkeypatch.setitem(verification.PROBES, "rhdp_poolboy", lambda r, c: Recheck(False, ""))
    monkeypatch.setattr(verification, "executor_for", lambda method: RollbackRefused)
    params = {"pool": "pool-a", "pool_namespace": "poolboy", "min_available": 3}
    request = _succeeded(
        catalog["pool-scale"], parameters=params, result={"undo": {"min_available": 1}}
    )
    request = action_verify(action_request_id=request.pk, now=T0 + dt.timedelta(hours=1))
    rolled_back = request.audit_entries.get(event=AuditEntry.Event.ROLLED_BACK)
    assert not rolled_back.ok
    assert "[REDACTED]" in rolled_back.error
    assert secret not in _stored_text(request)
