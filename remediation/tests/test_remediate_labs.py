from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from remediation.models import ActionRequest
from remediation.tasks import remediate_labs
from remediation.tests.sim import sim_lab
from scanning.models import LabEvidence

pytestmark = pytest.mark.django_db


def test_it_proposes_from_stored_verdicts_and_evidence(catalog, simulator_server) -> None:
    lab = sim_lab(simulator_server, "crashloop", "recommend_only", namespaces=2)
    for instance in lab.instances:
        _store(lab, instance)
    assert remediate_labs() == "2 requests"
    assert set(ActionRequest.objects.values_list("status", "action__action_id")) == {
        ("recommended", "restart-pod")
    }


def test_it_syncs_its_schedules_idempotently() -> None:
    for _ in range(2):
        call_command("setup_remediation_schedules", stdout=StringIO())
    assert set(Schedule.objects.values_list("func", flat=True)) == {
        "remediation.tasks.remediate_labs",
        "remediation.tasks.expire_requests",
        "remediation.tasks.time_out_requests",
        "remediation.tasks.verify_due",
        "remediation.tasks.recover_lost_work",
    }


def _store(lab, instance, evidence=None) -> None:  # type: ignore[no-untyped-def]
    """The lab's verdicts (the rubric service's) and its evidence, as a scan stores them."""
    lab.evaluation(instance)
    now = timezone.now()
    LabEvidence.objects.create(
        lab_instance=instance,
        evidence=evidence or lab.evidence(instance),
        content_hash="x",
        collected_at=now,
        changed_at=now,
    )


def test_it_recommends_a_diagnostic_action_without_parameters(catalog, simulator_server) -> None:
    lab = sim_lab(simulator_server, "route_not_admitted", "recommend_only")
    _store(lab, lab.instances[0])
    assert remediate_labs() == "1 requests"
    request = ActionRequest.objects.get()
    assert request.status == "recommended"
    assert request.action.action_id.startswith("diagnose-route-")
    assert request.parameters == {}


def test_it_goes_on_when_one_lab_cannot_be_remediated(catalog, simulator_server) -> None:
    lab = sim_lab(simulator_server, "crashloop", "recommend_only", namespaces=2)
    broken, healthy = lab.instances
    _store(lab, broken, evidence={"namespace": broken.namespace, "objects": "not a mapping"})
    _store(lab, healthy)
    assert remediate_labs() == "1 requests, 1 labs failed (see the log)"
    assert ActionRequest.objects.get().lab_instance == healthy
