"""Triage first: the cause on top of a lab page, failures apart from warnings, cluster
conditions once per cluster, every status on the cluster page, nodes over thresholds marked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from labs.models import Status
from labs.tests import factories
from rubrics_app.models import Evaluation, StateChange
from scanning.models import NodeSnapshot

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
SECRET = "password=hunter2"


def _verdict(instance, rubric, outcome, cls="", action="", ref="", message=""):
    evidence = [{"ref": ref, "status": outcome, "reason": "CrashLoopBackOff", "message": message}]
    return Evaluation.objects.create(
        lab_instance=instance,
        rubric_id=rubric,
        outcome=outcome,
        failure_class=cls,
        recommended_action=action,
        object_ref=ref,
        evaluated_at=timezone.now(),
        outcome_since=timezone.now() - timedelta(minutes=42),
        criteria=[
            {
                "id": "c",
                "required": True,
                "outcome": outcome,
                "reason": "",
                "message": "",
                "checked": 1,
                "timed_out": False,
                "evidence": evidence,
            }
        ],
    )


@pytest.fixture
def failing_lab():
    instance = factories.lab_instance(status=Status.FAILED, failure_class="crashloop")
    # Alphabetically first, ready: it must not come first any more.
    _verdict(instance, "cluster-health", Status.READY)
    _verdict(instance, "namespace-ready", Status.READY)
    _verdict(instance, "route-ready", Status.WARN, "route-not-admitted", ref="Route/web")
    _verdict(
        instance,
        "deployment-ready",
        Status.FAILED,
        "crashloop",
        "restart-pod",
        ref="Deployment/web",
        message=f"back-off restarting; {SECRET}",
    )
    now = timezone.now()
    for minutes, (old, new) in enumerate([("failed", "ready"), ("ready", "failed")]):
        StateChange.objects.create(
            lab_instance=instance,
            rubric_id="deployment-ready",
            from_status=old,
            to_status=new,
            at=now - timedelta(minutes=minutes),
        )
    return instance


def test_the_cause_sits_on_top_with_its_class_object_message_and_action(
    operator_client, failing_lab, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        html = operator_client.get(failing_lab.get_absolute_url()).content.decode()
    cause = html.split(f'id="lab-{failing_lab.pk}-cause"')[1].split("</section>")[0]
    assert "SG-040" in cause and "crashloop" in cause and "severity" in cause
    assert "Deployment/web" in cause
    assert "back-off restarting" in cause and "hunter2" not in cause  # redacted
    assert "restart-pod" in cause
    assert "42m ago" in cause  # since
    assert cause.count("<li>") == 2 and "failed 1 time" in cause  # what the engine saw
    assert html.index("-cause") < html.index("Rubric pipeline")


def test_failing_and_warning_rubrics_come_first_ready_ones_collapsed(operator_client, failing_lab):
    html = operator_client.get(failing_lab.get_absolute_url()).content.decode()
    order = re.findall(r'id="rubric-([\w-]+)"', html)
    assert order == ["deployment-ready", "route-ready", "cluster-health", "namespace-ready"]
    assert html.count('<details class="rubric-ready">') == 2


def test_a_ready_lab_says_nothing_is_failing(operator_client):
    instance = factories.lab_instance()
    html = operator_client.get(instance.get_absolute_url()).content.decode()
    assert "Nothing is failing or warning." in html


def test_the_overview_ranks_failures_apart_and_shows_cluster_conditions_once(
    operator_client, django_assert_max_num_queries
):
    sim = factories.cluster("sim-03")
    for _ in range(5):
        warned = factories.lab_instance(on=sim, status=Status.WARN)
        _verdict(warned, "cluster-health", Status.WARN, "cluster-nodes-not-ready", ref="Cluster/x")
    factories.lab_instance(on=sim, status=Status.FAILED, failure_class="crashloop")
    factories.lab_instance(on=sim, status=Status.WARN, failure_class="route-not-admitted")
    NodeSnapshot.objects.create(
        cluster=sim, name="worker-2", ready=False, collected_at=timezone.now()
    )
    NodeSnapshot.objects.create(
        cluster=sim,
        name="worker-1",
        ready=True,
        cpu_allocatable_millicores=4000,
        cpu_used_millicores=3960,
        collected_at=timezone.now(),
    )
    with django_assert_max_num_queries(12):
        html = operator_client.get("/").content.decode()
    failures = html.split('id="failure-classes-failed"')[1].split("</table>")[0]
    warnings = html.split('id="failure-classes-warn"')[1].split("</table>")[0]
    assert "crashloop" in failures and "route-not-admitted" not in failures
    assert "route-not-admitted" in warnings and "crashloop" not in warnings
    assert 'href="/classes/SG-040/"' in failures
    conditions = html.split('id="cluster-conditions"')[1].split("</ul>")[0]
    assert conditions.count('class="cluster-condition"') == 1
    assert "node worker-2 NotReady" in conditions
    assert "node worker-1 CPU 99% (over 90%)" in conditions  # node_high_cpu shows
    assert "5 labs cluster-nodes-not-ready" in conditions
    assert "/classes/SG-010/?cluster=sim-03" in conditions


def test_the_class_page_lists_its_labs_worst_first(operator_client, django_assert_max_num_queries):
    old = factories.lab_instance(
        status=Status.FAILED,
        failure_class="crashloop",
        status_changed_at=timezone.now() - timedelta(hours=2),
    )
    new = factories.lab_instance(status=Status.FAILED, failure_class="crashloop")
    warned = factories.lab_instance(status=Status.WARN, failure_class="crashloop")
    factories.lab_instance(status=Status.FAILED, failure_class="oom-killed")
    for instance in (old, new, warned):
        _verdict(instance, "deployment-ready", instance.status, "crashloop", "restart-pod")
    with django_assert_max_num_queries(10):
        response = operator_client.get("/classes/SG-040/")
    html = response.content.decode()
    rows = re.findall(r'id="class-lab-(\d+)"', html)
    assert rows == [str(new.pk), str(old.pk), str(warned.pk)]
    assert "restart-pod" in html
    assert f"/remediation/offers/labs/{new.pk}/?class=crashloop" in html
    assert operator_client.get("/classes/SG-999/").status_code == 404


def test_the_cluster_page_counts_every_status_and_marks_hot_nodes(operator_client):
    east = factories.cluster("east")
    for status in ("ready", "warn", "warn", "failed"):
        factories.lab_instance(on=east, status=status)
    NodeSnapshot.objects.create(
        cluster=east,
        name="worker-1",
        ready=True,
        cpu_allocatable_millicores=4000,
        cpu_used_millicores=3960,
        collected_at=timezone.now(),
    )
    NodeSnapshot.objects.create(
        cluster=east,
        name="worker-3",
        ready=True,
        cpu_allocatable_millicores=4000,
        cpu_used_millicores=400,
        collected_at=timezone.now(),
    )
    html = operator_client.get("/clusters/east/").content.decode()
    counts = html.split('id="cluster-lab-counts"')[1].split("</dd>")[0]
    for text in ("1 failed", "0 stale", "0 unknown", "2 warn", "0 progressing", "1 ready"):
        assert text in counts
    assert 'id="node-worker-1" class="node-alert"' in html
    assert 'id="node-worker-3">' in html
    assert "CPU 99% (over 90%)" in html
