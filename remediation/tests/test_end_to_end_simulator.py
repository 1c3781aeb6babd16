from __future__ import annotations

import pytest
from django.test import override_settings

from remediation.execution import cluster_access
from remediation.executors.rhdp_anarchy import GROUP, anarchy_subject_find
from remediation.models import ActionRequest
from remediation.proposals import lab_instance_remediate
from remediation.services import action_request_create
from remediation.tests.sim import sim_lab, verify_until_done

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.slow,
    pytest.mark.usefixtures("catalog"),
]
Status = ActionRequest.Status
FAST_VERIFY = {
    "EXECUTION_TARGET": "test",
    "REMEDIATION_VERIFY_WINDOW_SECONDS": 3,
    "REMEDIATION_VERIFY_INTERVAL_SECONDS": 1,
}


def _pod_names(lab) -> set[str]:  # type: ignore[no-untyped-def]
    from simulator.controllers import PODS

    namespace = lab.instances[0].namespace
    return {p["metadata"]["name"] for p in lab.store().list(PODS, namespace)}


@override_settings(**FAST_VERIFY)
def test_it_restarts_crashlooping_pods_in_a_low_risk_auto_lab_until_the_lab_is_ready(
    simulator_server, django_capture_on_commit_callbacks
) -> None:
    lab = sim_lab(simulator_server, "crashloop", "low_risk_auto")
    instance = lab.instances[0]
    evaluation = lab.evaluation(instance)
    assert (str(evaluation.status), evaluation.failure_class) == ("failed", "crashloop")
    requests = []
    # Each scan cycle restarts one failing pod; the generated deployment has two replicas
    # crashlooping, so the first restart alone does not recover the lab and is escalated.
    for _cycle in range(3):
        if str(evaluation.status) == "ready":
            break
        pods_before = _pod_names(lab)
        with django_capture_on_commit_callbacks(execute=True):
            (request,) = lab_instance_remediate(
                lab_instance=instance, evaluation=evaluation, evidence=lab.evidence(instance)
            )
        request.refresh_from_db()
        assert request.action.action_id == "restart-pod"
        assert request.status == Status.SUCCEEDED, request.error
        assert request.recovered is None  # execution did not wait for the lab
        assert request.result["deleted_pod"] in pods_before
        assert request.result["deleted_pod"] not in _pod_names(lab)
        verify_until_done(request)
        requests.append(request)
        evaluation = lab.evaluation(instance)
    assert str(evaluation.status) == "ready"
    instance.refresh_from_db()
    assert instance.status == "ready"  # recorded by the rubric service during verification
    assert [r.recovered for r in requests] == [False, True]
    assert requests[0].escalated
    events = list(requests[-1].audit_entries.values_list("event", flat=True))
    assert events == ["requested", "before", "after", "verified"]


@override_settings(**FAST_VERIFY)
def test_it_only_recommends_in_a_recommend_only_lab(
    simulator_server, django_capture_on_commit_callbacks
) -> None:
    lab = sim_lab(simulator_server, "crashloop", "recommend_only")
    instance = lab.instances[0]
    pods_before = _pod_names(lab)
    with django_capture_on_commit_callbacks(execute=True):
        (request,) = lab_instance_remediate(
            lab_instance=instance,
            evaluation=lab.evaluation(instance),
            evidence=lab.evidence(instance),
        )
    assert request.status == Status.RECOMMENDED
    assert request.action.action_id == "restart-pod"
    assert _pod_names(lab) == pods_before
    assert str(lab.evaluation(instance).status) == "failed"


@override_settings(**FAST_VERIFY)
def test_it_retries_a_failed_provision_and_the_subject_moves_to_started(
    simulator_server, django_capture_on_commit_callbacks
) -> None:
    lab = sim_lab(simulator_server, "anarchy_provision_failed", "full_auto")
    instance = lab.instances[0]
    subject = anarchy_subject_find(cluster_access(lab.cluster), instance.namespace)
    assert subject is not None
    assert subject["spec"]["vars"]["current_state"] == "provision-failed"
    with django_capture_on_commit_callbacks(execute=True):
        request = action_request_create(
            lab_instance=instance,
            action=_action("anarchy-retry-provision"),
            failure_class="provision-failed",
            parameters={
                "subject": subject["metadata"]["name"],
                "subject_namespace": subject["metadata"]["namespace"],
            },
            evidence={"objects": {"anarchysubjects": [subject]}},
        )
    request.refresh_from_db()
    assert request.status == Status.SUCCEEDED, request.error
    assert verify_until_done(request).recovered is True
    after = anarchy_subject_find(cluster_access(lab.cluster), instance.namespace)
    assert after is not None
    assert after["spec"]["vars"]["current_state"] == "started"
    assert after["apiVersion"].startswith(GROUP)


def _action(action_id: str):  # type: ignore[no-untyped-def]
    from remediation.models import RemediationAction

    return RemediationAction.objects.get(action_id=action_id)
