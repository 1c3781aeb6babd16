from __future__ import annotations

import pytest

from remediation.models import ActionRequest, AuditEntry
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
Status = ActionRequest.Status


def _create(lab_instance, action, failure_class="crashloop", **kw):  # type: ignore[no-untyped-def]
    params = kw.pop("parameters", {"pod": "web-1"})
    return action_request_create(
        lab_instance=lab_instance,
        action=action,
        failure_class=failure_class,
        parameters=params,
        **kw,
    )


def test_it_executes_a_low_risk_action_in_a_low_risk_auto_lab(
    catalog, lab_instance, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = _create(lab_instance, catalog["restart-pod"])
    request.refresh_from_db()
    assert request.status == Status.SUCCEEDED
    assert request.result == {"recorded_only": "mock target"}
    events = list(request.audit_entries.values_list("event", flat=True))
    assert events == ["requested", "before", "after"]


def test_it_only_recommends_in_a_recommend_only_lab(catalog, django_capture_on_commit_callbacks):
    instance = make_lab_instance("recommend_only")
    with django_capture_on_commit_callbacks(execute=True):
        request = _create(instance, catalog["restart-pod"])
    assert request.status == Status.RECOMMENDED
    assert not request.audit_entries.filter(event=AuditEntry.Event.BEFORE).exists()


def test_it_queues_a_medium_risk_action(catalog, lab_instance) -> None:
    request = _create(
        lab_instance, catalog["rollout-restart-deployment"], parameters={"deployment": "web"}
    )
    assert request.status == Status.PENDING
    assert request.expires_at is not None
    assert {"gate": "risk", "outcome": "approval", "reason": "medium risk needs approval here"} in (
        request.decision
    )


def test_it_refuses_a_system_namespace(catalog) -> None:
    instance = make_lab_instance(namespace="openshift-sandbox-x")
    request = _create(instance, catalog["restart-pod"])
    assert request.status == Status.REJECTED
    assert "not in the allow-list" in request.reason


def test_it_refuses_while_the_anarchy_subject_is_provisioning(catalog, lab_instance) -> None:
    subject = {"spec": {"vars": {"current_state": "provisioning"}}}
    request = _create(
        lab_instance, catalog["restart-pod"], evidence={"objects": {"anarchysubjects": [subject]}}
    )
    assert request.status == Status.REJECTED
    assert request.reason == "AnarchySubject is provisioning"


def test_it_rejects_parameters_that_are_not_dns_labels(catalog, lab_instance) -> None:
    with pytest.raises(ValueError, match="pod: must be a DNS label"):
        _create(lab_instance, catalog["restart-pod"], parameters={"pod": "../../etc"})


def test_it_returns_the_open_request_instead_of_a_duplicate(catalog, lab_instance) -> None:
    params = {"deployment": "web"}
    first = _create(lab_instance, catalog["rollout-restart-deployment"], parameters=params)
    second = _create(lab_instance, catalog["rollout-restart-deployment"], parameters=params)
    assert first.pk == second.pk


def test_it_queues_once_the_lab_rate_limit_is_reached(catalog) -> None:
    instance = make_lab_instance(max_per_hour=2)
    statuses = []
    for pod in ("a", "b", "c"):
        ActionRequest.objects.filter(status=Status.APPROVED).update(status=Status.SUCCEEDED)
        statuses.append(_create(instance, catalog["restart-pod"], parameters={"pod": pod}).status)
    assert statuses == [Status.APPROVED, Status.APPROVED, Status.PENDING]


def test_it_sends_an_unconfirmed_classification_to_approval(catalog, lab_instance) -> None:
    request = _create(lab_instance, catalog["restart-pod"], confirmed=False)
    assert request.status == Status.PENDING


def test_a_refresh_takes_the_confirmation_a_human_gave_since(
    catalog, lab_instance, django_capture_on_commit_callbacks
) -> None:
    """An LLM class asked for approval; a human accepted the proposal: the pass's refresh of the
    open request carries `confirmed`, so the gates at acting read the reviewed class."""
    first = _create(lab_instance, catalog["restart-pod"], confirmed=False, fingerprint="f1")
    assert (first.status, first.confirmed) == (Status.PENDING, False)
    with django_capture_on_commit_callbacks(execute=False):
        again = _create(lab_instance, catalog["restart-pod"], confirmed=True, fingerprint="f1")
    again.refresh_from_db()
    assert again.pk == first.pk
    assert (again.status, again.confirmed) == (Status.APPROVED, True)


def test_a_refresh_with_the_same_decision_still_takes_the_confirmation(
    catalog, lab_instance
) -> None:
    action, params = catalog["rollout-restart-deployment"], {"deployment": "web"}
    first = _create(lab_instance, action, parameters=params, confirmed=False, fingerprint="f1")
    again = _create(lab_instance, action, parameters=params, confirmed=True, fingerprint="f1")
    again.refresh_from_db()
    assert (again.pk, again.status) == (first.pk, Status.PENDING)  # medium risk: approval still
    assert again.confirmed is True
