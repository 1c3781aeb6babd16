"""Human (UI and API) approvals count against the hourly limits, like automatic executions."""

from __future__ import annotations

import pytest
from django.test import Client

from labs.models import LabInstance
from remediation.models import ActionRequest, AuditEntry, RateCounter
from remediation.services import (
    RateLimitReached,
    action_request_approve,
    action_request_create,
)
from remediation.tests.conftest import make_lab_instance
from stargate.apikeys import api_key_create

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
Status = ActionRequest.Status


def _pending(catalog, instance: LabInstance) -> ActionRequest:  # type: ignore[no-untyped-def]
    request = action_request_create(
        lab_instance=instance,
        action=catalog["rollout-restart-deployment"],
        failure_class="deployment-not-ready",
        parameters={"deployment": "web"},
    )
    assert request.status == Status.PENDING
    return request


def _restart_pod(catalog, instance: LabInstance) -> ActionRequest:  # type: ignore[no-untyped-def]
    return action_request_create(
        lab_instance=instance,
        action=catalog["restart-pod"],
        failure_class="crashloop",
        parameters={"pod": "web-1"},
    )


def _count(key: str) -> int:
    return sum(RateCounter.objects.filter(key=key).values_list("count", flat=True))


def test_it_counts_a_human_approval_against_the_labs_limit(catalog, approver) -> None:
    instance = make_lab_instance(max_per_hour=1)
    action_request_approve(action_request=_pending(catalog, instance), approver=approver)
    assert _count(f"lab-{instance.lab_id}") == 1
    assert _count(f"cluster-{instance.cluster_id}") == 1
    # The human used the lab's one slot: the automatic low-risk action now needs approval.
    automatic = _restart_pod(catalog, instance)
    assert automatic.status == Status.PENDING
    assert "hourly action limit reached: approval" in automatic.reason


def test_it_keeps_an_approval_pending_when_the_limit_is_reached(catalog, approver) -> None:
    instance = make_lab_instance(max_per_hour=1)
    assert _restart_pod(catalog, instance).status == Status.APPROVED  # took the slot
    request = _pending(catalog, instance)
    with pytest.raises(RateLimitReached):
        action_request_approve(action_request=request, approver=approver, reason="go")
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (Status.PENDING, None)
    assert not request.audit_entries.filter(event=AuditEntry.Event.APPROVED).exists()
    assert _count(f"lab-{instance.lab_id}") == 1


def test_it_holds_the_cluster_limit_across_labs(catalog, approver, settings) -> None:
    settings.REMEDIATION_MAX_ACTIONS_PER_CLUSTER_HOUR = 1
    first = _pending(catalog, make_lab_instance(namespace="sandbox-aaa11-web"))
    second = _pending(catalog, make_lab_instance(namespace="sandbox-bbb22-shop"))
    assert first.lab_instance.lab_id != second.lab_instance.lab_id
    action_request_approve(action_request=first, approver=approver)
    with pytest.raises(RateLimitReached):
        action_request_approve(action_request=second, approver=approver)


def test_it_does_not_count_a_rejection(catalog, approver) -> None:
    from remediation.services import action_request_reject

    instance = make_lab_instance(max_per_hour=1)
    action_request_reject(action_request=_pending(catalog, instance), approver=approver)
    assert _count(f"lab-{instance.lab_id}") == 0


def test_it_answers_429_to_the_api_and_the_page(client: Client, catalog, approver) -> None:
    instance = make_lab_instance(max_per_hour=1)
    _restart_pod(catalog, instance)
    request = _pending(catalog, instance)
    token = api_key_create(name="ci", owner=approver, scopes=["approve"]).token
    api = client.post(
        f"/api/v1/remediation/requests/{request.pk}/approve",
        {"reason": "go"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 429
    assert api.json()["request"]["status"] == "pending"
    client.force_login(approver)
    page = client.post(
        f"/remediation/approvals/{request.pk}/decide/",
        {"decision": "approve", "reason": "go"},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 429
    assert 'class="approval-pending"' in page.content.decode()
