"""A lab's failure class: its worst lab-level finding. Cluster-level conditions stand beside it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from labs.tests.factories import platform_operator
from rubrics_app.engine import evaluate
from rubrics_app.outcomes import Outcome, PreviousState

from .builders import T0, deployment, evidence, obj, pod

START = datetime.fromisoformat(T0)


def _cluster(ready: int, down: list[str]) -> dict:
    return {
        "reachable": True,
        "nodes_total": 3,
        "nodes_ready": ready,
        "nodes_not_ready": down,
        "nodes_with_pressure": [],
        "critical_alerts": [],
    }


def _lab(cluster: dict, endpoints: bool = False) -> dict:
    web = pod("web-1")
    web["spec"] = {"nodeName": "worker-3"}
    service = obj("Service", "web", spec={"selector": {"app": "web"}})
    addresses = [{"addresses": [{"ip": "10.0.0.1"}]}] if endpoints else []
    return evidence(
        cluster_health=cluster,
        pods=[web],
        services=[service],
        endpoints=[obj("Endpoints", "web", subsets=addresses)],
    )


def _watched(rubric_set, lab: dict):
    """The lab as the engine judges it after watching it for an hour."""
    first = evaluate(lab, rubric_set, START)
    return evaluate(lab, rubric_set, START + timedelta(hours=1), PreviousState(first.seen))


def test_it_keeps_the_lab_s_own_class_beside_a_not_ready_node(rubric_set):
    result = _watched(rubric_set, _lab(_cluster(2, ["worker-3"])))
    assert result.rubric("cluster-health").failure_class == "cluster-nodes-not-ready"
    assert result.rubric("route-ready").outcome == Outcome.WARN
    assert result.failure_class == "service-no-endpoints"


def test_it_never_gives_a_lab_a_cluster_level_class(rubric_set):
    result = _watched(rubric_set, _lab(_cluster(1, ["worker-2", "worker-3"]), endpoints=True))
    assert result.rubric("cluster-health").outcome == Outcome.FAILED
    assert (result.status, result.failure_class) == (Outcome.FAILED, "")


def test_it_takes_the_worst_lab_level_finding_over_a_worse_cluster_one(rubric_set):
    crash = pod("web-1", waiting="CrashLoopBackOff")
    cluster = _cluster(1, ["worker-2", "worker-3"])
    lab = evidence(cluster_health=cluster, deployments=[deployment(available=0)], pods=[crash])
    result = evaluate(lab, rubric_set, START)
    assert result.failure_class == "crashloop"


@pytest.mark.django_db
def test_it_shows_cluster_conditions_beside_the_lab_s_class(
    lab_instance, client, django_user_model
):
    from rubrics_app.services import lab_instance_evaluate

    lab = _lab(_cluster(2, ["worker-3"]))
    lab_instance_evaluate(lab_instance=lab_instance, evidence=lab, now=START)
    later = START + timedelta(hours=1)
    lab_instance_evaluate(lab_instance=lab_instance, evidence=lab, now=later)
    lab_instance.refresh_from_db()
    assert lab_instance.failure_class == "service-no-endpoints"
    bob = django_user_model.objects.create_user("bob", "b@example.com", "pw-12345678")
    client.force_login(platform_operator(bob))
    html = client.get(lab_instance.get_absolute_url()).content.decode()
    summary = html.split(f'id="lab-{lab_instance.pk}-summary"')[1].split("</dl>")[0]
    status = summary.split(f'id="lab-{lab_instance.pk}-status"')[1].split("</dd>")[0]
    assert "service-no-endpoints" in status and "cluster-nodes-not-ready" not in status
    conditions = summary.split(f'id="lab-{lab_instance.pk}-cluster-conditions"')[1]
    assert "cluster-nodes-not-ready" in conditions.split("</dd>")[0]
