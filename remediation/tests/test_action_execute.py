from __future__ import annotations

import itertools

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remediation import execution
from remediation.execution import action_execute
from remediation.executors.base import ExecutionResult, Executor
from remediation.models import ActionRequest, AuditEntry
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance

pytestmark = pytest.mark.django_db
Status = ActionRequest.Status


def _approved(catalog, **cluster) -> ActionRequest:  # type: ignore[no-untyped-def]
    instance = make_lab_instance(**cluster)
    request = action_request_create(
        lab_instance=instance,
        action=catalog["restart-pod"],
        failure_class="crashloop",
        parameters={"pod": "web-1"},
    )
    assert request.status == Status.APPROVED
    return request


@override_settings(EXECUTION_TARGET="production")
def test_it_leaves_a_before_and_a_failed_after_entry_when_the_executor_crashes(catalog) -> None:
    # A kubeconfig that does not exist makes the real client raise inside the executor.
    request = _approved(catalog, kubeconfig_path="/nonexistent/kubeconfig")
    action_execute(action_request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.FAILED
    assert "kubeconfig" in request.error.lower() or "config" in request.error.lower()
    before = request.audit_entries.get(event=AuditEntry.Event.BEFORE)
    after = request.audit_entries.get(event=AuditEntry.Event.AFTER)
    assert before.ok and before.target == "production"
    assert not after.ok
    assert after.error == request.error
    assert after.duration_ms is not None
    assert before.created_at <= after.created_at


@override_settings(EXECUTION_TARGET="test")
def test_it_only_records_on_the_test_target_for_a_cluster_not_marked_for_tests(catalog) -> None:
    request = _approved(catalog, cluster_name="prod1", labels={"purpose": "prod"})
    action_execute(action_request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.SUCCEEDED
    assert request.result == {"recorded_only": "test target, and cluster purpose is 'prod'"}


@override_settings(EXECUTION_TARGET="production", DRY_RUN=True)
def test_it_executes_nothing_in_dry_run(catalog) -> None:
    request = _approved(catalog, kubeconfig_path="/nonexistent/kubeconfig")
    action_execute(action_request_id=request.pk)
    request.refresh_from_db()
    assert request.result == {"recorded_only": "dry run"}
    assert request.audit_entries.get(event=AuditEntry.Event.BEFORE).dry_run


def test_it_runs_a_request_once(catalog) -> None:
    request = _approved(catalog)
    assert action_execute(action_request_id=request.pk) is not None
    assert action_execute(action_request_id=request.pk) is None
    assert request.audit_entries.filter(event=AuditEntry.Event.BEFORE).count() == 1


class Boom(BaseException):
    """Not an Exception: like a worker timeout, it must still leave a failed after-entry."""


EXAMPLES = itertools.count()
CRASHES = st.sampled_from([RuntimeError, ValueError, KeyError, OSError, ZeroDivisionError, Boom])


@override_settings(EXECUTION_TARGET="production")
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(crash=CRASHES, message=st.text(max_size=50))
def test_it_always_leaves_a_before_and_a_failed_after_entry(
    catalog, monkeypatch, crash: type[BaseException], message: str
) -> None:
    seq = next(EXAMPLES)
    request = _approved(catalog, namespace=f"sandbox-x{seq}-web{seq}", cluster_name=f"c{seq}")

    class Crashing(Executor):
        def run(self) -> ExecutionResult:
            raise crash(message)

    monkeypatch.setattr(execution, "executor_for", lambda method: Crashing)
    if issubclass(crash, Exception):
        action_execute(action_request_id=request.pk)
    else:
        with pytest.raises(crash):
            action_execute(action_request_id=request.pk)
    request.refresh_from_db()
    assert request.status == Status.FAILED
    assert request.error.startswith(crash.__name__)
    entries = list(request.audit_entries.order_by("pk").values_list("event", "ok"))
    assert entries == [("requested", True), ("before", True), ("after", False)]
