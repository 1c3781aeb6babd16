"""Smoke-test results (pulled or pushed) are evidence the `smoke-test-ready` rubric judges."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from collectors.models import ScheduledLab, SmokeTestResult
from incidents.models import Event
from labs.models import Cluster, Lab, LabInstance, Team
from labs.tests.factories import platform_operator
from rubrics_app.models import Evaluation, StateChange
from scanning.models import LabEvidence
from simulator.services.demolition import external_evidence, push_external_evidence
from stargate.apikeys import api_key_create

pytestmark = pytest.mark.django_db(transaction=True)


def _lab_instance() -> LabInstance:
    cluster = Cluster.objects.create(
        name="sim-01", api_url="http://127.0.0.1:9", simulated=True, insecure_lab=True
    )
    lab = Lab.objects.create(catalog_item="rhel-ai-workshop")
    ScheduledLab.objects.create(source="labagator", lab_code="LB1203", lab=lab)
    instance = LabInstance.objects.create(
        cluster=cluster, namespace="sandbox-abc12-rhel-ai-workshop", guid="abc12", lab=lab
    )
    now = datetime.now(UTC)
    LabEvidence.objects.create(
        lab_instance=instance,
        evidence={
            "cluster": cluster.name,
            "namespace": instance.namespace,
            "collected_at": now.isoformat(),
            "namespace_object": {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": instance.namespace},
                "status": {"phase": "Active"},
            },
            "objects": {"pods": []},
        },
        content_hash="x",
        collected_at=now,
        changed_at=now,
    )
    return instance


def _session(passed: bool) -> dict[str, Any]:
    return {
        "id": 702,
        "name": "LB1203 rhel-ai-workshop smoke",
        "workshop_url": "https://summit-2026.demo.sim.example.com/workshop/rhel-ai-workshop",
        "last_result": {
            "total": 12,
            "completed": 12 if passed else 6,
            "failed": 0 if passed else 6,
        },
    }


def test_a_pushed_failing_result_fails_smoke_test_ready_and_emits_its_event(
    live_server: Any,
) -> None:
    instance = _lab_instance()
    owner = platform_operator(User.objects.create_user("demolition"))
    owner.user_permissions.add(Permission.objects.get(codename="add_smoketestresult"))
    token = api_key_create(name="demolition", owner=owner, scopes=["approve"]).token
    body = external_evidence(_session(False), "sim-01")
    with httpx.Client(timeout=30) as client:
        answer = push_external_evidence(f"{live_server.url}/api/v1", token, body, client)
    assert answer.status_code == 201, answer.text
    assert answer.json()["instances_evaluated"] == 1
    assert answer.json()["facts"] == {
        "smoke_test_passed": False,
        "expected_response_received": False,
        "route_reachable": True,
    }
    evaluation = Evaluation.objects.get(lab_instance=instance, rubric_id="smoke-test-ready")
    assert evaluation.outcome == "failed" and evaluation.failure_class == "smoke-test-failed"
    assert StateChange.objects.filter(lab_instance=instance, rubric_id="smoke-test-ready").exists()
    result = SmokeTestResult.objects.get(source="push")
    assert result.lab_instance == instance and result.passed is False

    # a later passing push turns it ready
    with httpx.Client(timeout=30) as client:
        body = external_evidence(_session(True), "sim-01", session_id="703")
        assert push_external_evidence(f"{live_server.url}/api/v1", token, body, client).is_success
    evaluation.refresh_from_db()
    assert evaluation.outcome == "ready"
    assert Event is not None  # events are ingested from the state changes (incidents pipeline)


def test_the_push_needs_a_key_that_may_write(live_server: Any) -> None:
    _lab_instance()
    owner = User.objects.create_user("reader")
    read_only = api_key_create(name="r", owner=owner, scopes=["read"]).token
    body = external_evidence(_session(False), "sim-01")
    with httpx.Client(timeout=30) as client:
        assert (
            push_external_evidence(f"{live_server.url}/api/v1", read_only, body, client).status_code
            == 403
        )
        refused = client.post(f"{live_server.url}/api/v1/integration/external-evidence", json=body)
        assert refused.status_code == 401
        # An approve key whose owner may not record smoke-test results writes nothing either.
        writer = api_key_create(name="w", owner=owner, scopes=["approve"]).token
        answer = push_external_evidence(f"{live_server.url}/api/v1", writer, body, client)
        assert answer.status_code == 403 and "add_smoketestresult" in answer.text
    assert not SmokeTestResult.objects.exists()


def _pusher(name: str, team: Team | None = None) -> str:
    owner = User.objects.create_user(name)
    owner.user_permissions.add(Permission.objects.get(codename="add_smoketestresult"))
    if team is not None:
        team.members.add(owner)
    return f"Bearer {api_key_create(name=name, owner=owner, scopes=['approve']).token}"


def test_a_team_key_pushes_only_for_its_own_labs(client: Client) -> None:
    """A key whose owner is no platform operator pushes for its teams' labs only; another team's
    lab, an unknown code and a lab of no team all answer the same 404, naming no lab."""
    instance = _lab_instance()
    mine, theirs = Team.objects.create(name="mine"), Team.objects.create(name="theirs")
    Lab.objects.filter(pk=instance.lab_id).update(team=theirs)
    Lab.objects.create(catalog_item="orphan-item")
    url = "/api/v1/integration/external-evidence"
    key = _pusher("tess", mine)

    def push(code: str, auth: str) -> Any:
        body = {"lab_code": code, "cluster_name": "sim-01", "outcome": "fail"}
        return client.post(
            url, body, content_type="application/json", headers={"Authorization": auth}
        )

    answers = [push(code, key) for code in ("LB1203", "rhel-ai-workshop", "LB9999", "orphan-item")]
    for answer in answers:
        assert answer.status_code == 404, answer.content
        assert answer["Content-Type"].startswith("application/problem+json")
        text = answer.content.decode()
        assert "rhel-ai-workshop" not in text and "orphan-item" not in text
        assert set(answer.json()) >= {"type", "title", "status", "detail", "instance", "error"}
    assert len({a.json()["detail"] for a in answers}) == 1
    assert push("LB1203", _pusher("nobody")).status_code == 404
    assert not SmokeTestResult.objects.exists()
    assert not Evaluation.objects.filter(lab_instance=instance).exists()

    # the owning team's key and a platform operator's key push for it
    owned = push("LB1203", _pusher("theo", theirs))
    assert owned.status_code == 201 and owned.json()["instances_evaluated"] == 1
    operator = _pusher("olga")
    platform_operator(User.objects.get(username="olga"))
    assert push("LB9999", operator).status_code == 201  # an operator may push an unknown code
    assert SmokeTestResult.objects.count() == 2


def test_a_pulled_demolition_result_is_evidence_of_each_instance_of_the_lab() -> None:
    from collectors.selectors import smoke_results_for

    instance = _lab_instance()
    SmokeTestResult.objects.create(
        source="pull",
        session_id="702",
        lab=instance.lab,
        passed=False,
        worker_count=12,
        steps_passed=6,
        steps_failed=6,
        finished_at=datetime.now(UTC),
    )
    found = smoke_results_for([instance])[instance.pk]
    assert found[0]["passed"] is False and found[0]["source"] == "pull"
