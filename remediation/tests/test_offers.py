"""The action buttons: decided by the gates for the person looking, acted on by the services."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from labs.models import LabInstance
from labs.tests.factories import platform_operator
from remediation.models import ActionRequest, AuditEntry
from remediation.offers import OfferKind, lab_offers, request_offer
from remediation.pauses import remediation_pause_set
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance
from rubrics_app.models import Evaluation

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
S = ActionRequest.Status


def _user(name: str, *perms: str) -> User:
    user = User.objects.create_user(name, f"{name}@example.com", "pw-" + name)
    for perm in perms:
        user.user_permissions.add(Permission.objects.get(codename=perm))
    platform_operator(user)  # sees every lab (teams are tested in dashboard/tests)
    return User.objects.get(pk=user.pk)  # fresh permission cache


@pytest.fixture
def requester(db: None) -> User:
    return _user("rita", "add_actionrequest")


@pytest.fixture
def approver(db: None) -> User:
    return _user("alice", "approve_actionrequest", "add_actionrequest")


def _failing(mode: str = "low_risk_auto") -> LabInstance:
    instance = make_lab_instance(mode=mode)
    for rubric, cls, action, ref in [
        ("pods-healthy", "crashloop", "restart-pod", "Pod/web-1"),
        (
            "deployment-ready",
            "deployment-not-ready",
            "rollout-restart-deployment",
            "Deployment/web",
        ),
    ]:
        Evaluation.objects.create(
            lab_instance=instance,
            rubric_id=rubric,
            outcome="failed",
            failure_class=cls,
            recommended_action=action,
            object_ref=ref,
            evaluated_at=timezone.now(),
        )
    return instance


def _kinds(user: User, instance: LabInstance) -> dict[str, OfferKind]:
    return {o.rubric_id: o.kind for o in lab_offers(user=user, lab_instance=instance)}


def test_it_offers_run_when_the_gates_let_it_run_and_approval_otherwise(catalog, requester):
    instance = _failing()
    assert _kinds(requester, instance) == {
        "pods-healthy": OfferKind.RUN,  # low risk in low_risk_auto
        "deployment-ready": OfferKind.REQUEST,  # medium risk: approval
    }


def test_an_approver_runs_what_only_needs_an_approval(catalog, approver):
    offers = lab_offers(user=approver, lab_instance=_failing())
    assert {o.rubric_id: (o.kind, o.via_approval) for o in offers} == {
        "pods-healthy": (OfferKind.RUN, False),
        "deployment-ready": (OfferKind.RUN, True),
    }


def test_it_names_the_gate_that_blocks(catalog, requester, approver):
    instance = _failing(mode="recommend_only")
    offers = lab_offers(user=approver, lab_instance=instance)
    assert {o.kind for o in offers} == {OfferKind.BLOCKED}
    assert all(o.blockers[0].gate == "execution_mode" for o in offers)
    remediation_pause_set(cluster=None, paused=True, reason="change freeze", user=approver)
    offers = lab_offers(user=requester, lab_instance=_failing_other())
    assert {b.gate for o in offers for b in o.blockers} == {"paused"}


def _failing_other() -> LabInstance:
    instance = make_lab_instance(namespace="sandbox-zz999-web")
    Evaluation.objects.create(
        lab_instance=instance,
        rubric_id="pods-healthy",
        outcome="failed",
        failure_class="crashloop",
        recommended_action="restart-pod",
        object_ref="Pod/web-1",
        evaluated_at=timezone.now(),
    )
    return instance


def test_a_user_without_the_permission_sees_a_blocked_button(catalog, db):
    nobody = _user("charlie")
    offers = lab_offers(user=nobody, lab_instance=_failing())
    assert {b.gate for o in offers for b in o.blockers} == {"permission"}


def _post(client, user, instance, rubric, kind, reason=""):
    client.force_login(user)
    return client.post(
        f"/remediation/offers/labs/{instance.pk}/accept/",
        {"rubric": rubric, "kind": kind, "reason": reason},
        HTTP_HX_REQUEST="true",
    )


def test_run_goes_through_the_service_and_the_audit(client, catalog, requester):
    instance = _failing()
    response = _post(client, requester, instance, "pods-healthy", "run")
    assert response.status_code == 200
    request = ActionRequest.objects.get(lab_instance=instance)
    assert (request.status, request.source, request.requested_by) == (S.APPROVED, "ui", requester)
    entry = request.audit_entries.get(event=AuditEntry.Event.REQUESTED)
    assert (entry.user, entry.source) == (requester, "ui")
    assert f"Request #{request.pk}: Approved" in response.content.decode()


def test_request_approval_needs_a_reason_and_keeps_it(client, catalog, requester):
    instance = _failing()
    assert _post(client, requester, instance, "deployment-ready", "request").status_code == 400
    assert not ActionRequest.objects.exists()
    response = _post(client, requester, instance, "deployment-ready", "request", "users stuck")
    assert response.status_code == 200
    request = ActionRequest.objects.get()
    assert request.status == S.PENDING
    assert "users stuck" in request.audit_entries.get(event="requested").intent


def test_an_approvers_run_requests_then_approves_both_audited(client, catalog, approver):
    instance = _failing()
    assert _post(client, approver, instance, "deployment-ready", "run", "CHG-7").status_code == 200
    request = ActionRequest.objects.get()
    assert (request.status, request.decided_by) == (S.APPROVED, approver)
    events = set(request.audit_entries.values_list("event", flat=True))
    assert {"requested", "approved"} <= events


def test_a_blocked_click_does_nothing(client, catalog, approver):
    instance = _failing(mode="recommend_only")
    response = _post(client, approver, instance, "pods-healthy", "run", "x")
    assert response.status_code == 409
    assert "Blocked by execution_mode" in response.content.decode()
    assert not ActionRequest.objects.exists()


def test_the_lab_fragment_shows_each_button(client, catalog, requester):
    instance = _failing()
    client.force_login(requester)
    html = client.get(f"/remediation/offers/labs/{instance.pk}/").content.decode()
    assert ">Run</button>" in html
    assert ">Request approval</button>" in html
    html = client.get(f"/remediation/offers/labs/{instance.pk}/?class=crashloop").content.decode()
    assert "Request approval" not in html


def test_the_approval_queue_buttons_follow_the_gates(client, catalog, approver):
    instance = _failing()
    pending = action_request_create(
        lab_instance=instance,
        action=catalog["rollout-restart-deployment"],
        failure_class="deployment-not-ready",
        parameters={"deployment": "web"},
    )
    assert request_offer(user=approver, action_request=pending).kind == OfferKind.RUN
    client.force_login(approver)
    html = client.get(f"/remediation/approvals/{pending.pk}/offer/").content.decode()
    assert "Approve and run" in html
    remediation_pause_set(cluster=None, paused=True, reason="change freeze", user=approver)
    offer = request_offer(user=approver, action_request=pending)
    assert (offer.kind, offer.blockers[0].gate) == (OfferKind.BLOCKED, "paused")
    html = client.get(f"/remediation/approvals/{pending.pk}/offer/").content.decode()
    assert "Blocked by paused" in html
    assert "Approve and run" not in html


def test_anonymous_and_unpermitted_clicks_do_nothing(client, catalog, db):
    instance = _failing()
    url = f"/remediation/offers/labs/{instance.pk}/accept/"
    response = client.post(url, {"rubric": "pods-healthy", "kind": "run"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = _post(client, _user("charlie"), instance, "pods-healthy", "run", "x")
    assert response.status_code == 409
    assert "Blocked by permission" in response.content.decode()
    assert not ActionRequest.objects.exists()
