from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

from labs.models import Cluster, Lab, LabInstance, Status
from rubrics_app.models import Evaluation, StateChange
from rubrics_app.services import lab_instance_evaluate, lab_instances_evaluate

from .builders import T0, deployment, evidence, obj, pod

NOW = datetime.fromisoformat(T0) + timedelta(minutes=5)


def _crashing():
    return evidence(
        deployments=[deployment(available=0)], pods=[pod("web-1", waiting="CrashLoopBackOff")]
    )


def _healthy():
    return evidence(deployments=[deployment()], pods=[pod("web-1")])


def test_it_records_evaluations_and_the_lab_status(lab_instance):
    done = lab_instance_evaluate(lab_instance=lab_instance, evidence=_crashing(), now=NOW)
    lab_instance.refresh_from_db()
    assert (lab_instance.status, lab_instance.failure_class) == (Status.FAILED, "crashloop")
    assert lab_instance.status_changed_at == lab_instance.last_evaluated_at == NOW
    row = Evaluation.objects.get(lab_instance=lab_instance, rubric_id="deployment-ready")
    assert (row.outcome, row.failure_class, row.recommended_action) == (
        "failed",
        "crashloop",
        "restart-pod",
    )
    assert row.fingerprint == done.result.rubric("deployment-ready").fingerprint
    assert row.criteria[0]["evidence"][0]["ref"] == "Deployment/web"
    assert row.evidence_excerpt[0]["reason"] == "CrashLoopBackOff"
    assert done.status_changed


def test_it_writes_state_changes_only_on_change(lab_instance):
    for minutes in (5, 10, 15):
        lab_instance_evaluate(
            lab_instance=lab_instance, evidence=_crashing(), now=NOW + timedelta(minutes=minutes)
        )
    lab_changes = StateChange.objects.filter(lab_instance=lab_instance, rubric_id="")
    assert [(c.from_status, c.to_status) for c in lab_changes] == [("unknown", "failed")]
    lab_instance_evaluate(
        lab_instance=lab_instance, evidence=_healthy(), now=NOW + timedelta(hours=1)
    )
    assert [(c.from_status, c.to_status) for c in lab_changes.all()] == [
        ("failed", "ready"),
        ("unknown", "failed"),
    ]
    rubric = StateChange.objects.filter(lab_instance=lab_instance, rubric_id="deployment-ready")
    assert [(c.from_status, c.to_status) for c in rubric] == [("failed", "ready"), ("", "failed")]


def test_it_keeps_the_status_changed_time_while_the_status_holds(lab_instance):
    lab_instance_evaluate(lab_instance=lab_instance, evidence=_crashing(), now=NOW)
    later = NOW + timedelta(minutes=30)
    done = lab_instance_evaluate(lab_instance=lab_instance, evidence=_crashing(), now=later)
    lab_instance.refresh_from_db()
    assert (lab_instance.status_changed_at, lab_instance.last_evaluated_at) == (NOW, later)
    assert not done.status_changed
    row = Evaluation.objects.get(lab_instance=lab_instance, rubric_id="deployment-ready")
    assert (row.outcome_since, row.evaluated_at) == (NOW, later)


def test_it_remembers_first_sight_across_scans(lab_instance):
    service = obj("Service", "web", spec={"selector": {"app": "web"}})
    route = obj(
        "Route",
        "web",
        {"ingress": [{"conditions": [{"type": "Admitted", "status": "True"}]}]},
        spec={"to": {"kind": "Service", "name": "web"}},
    )
    quiet = evidence(services=[service], routes=[route])
    first = lab_instance_evaluate(lab_instance=lab_instance, evidence=quiet, now=NOW)
    assert first.result.rubric("route-ready").outcome == "progressing"
    later = lab_instance_evaluate(
        lab_instance=lab_instance, evidence=quiet, now=NOW + timedelta(hours=1)
    )
    assert later.result.rubric("route-ready").failure_class == "service-no-endpoints"


def test_it_uses_the_catalog_entry_for_the_guest_agent(lab_instance):
    Lab.objects.filter(pk=lab_instance.lab_id).update(requires_guest_agent=True)
    lab_instance = LabInstance.objects.get(pk=lab_instance.pk)
    vmi = obj(
        "VirtualMachineInstance",
        "vm",
        {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": T0}],
        },
    )
    vm = obj(
        "VirtualMachine",
        "vm",
        {"printableStatus": "Running", "conditions": [{"type": "Ready", "status": "True"}]},
    )
    done = lab_instance_evaluate(
        lab_instance=lab_instance,
        evidence=evidence(virtualmachines=[vm], virtualmachineinstances=[vmi]),
        now=NOW + timedelta(hours=1),
    )
    assert done.result.rubric("vm-runtime-ready").outcome == "failed"


def test_it_prunes_rubrics_that_stopped_applying(lab_instance):
    lab_instance_evaluate(lab_instance=lab_instance, evidence=_healthy(), now=NOW)
    lab_instance_evaluate(lab_instance=lab_instance, evidence=evidence(), now=NOW)
    rubrics = set(
        Evaluation.objects.filter(lab_instance=lab_instance).values_list("rubric_id", flat=True)
    )
    assert rubrics == {"run-created", "namespace-ready"}


def test_it_broadcasts_only_when_the_lab_status_changed(lab_instance):
    with mock.patch("stargate.realtime.lab_instances_changed_on_commit") as broadcast:
        lab_instance_evaluate(lab_instance=lab_instance, evidence=_crashing(), now=NOW)
        lab_instance_evaluate(lab_instance=lab_instance, evidence=_crashing(), now=NOW)
    broadcast.assert_called_once_with([lab_instance.pk])


def test_it_evaluates_a_batch_in_constant_queries(db, django_assert_max_num_queries):
    cluster = Cluster.objects.create(name="c2", api_url="https://api.c2.example.com:6443")
    lab = Lab.objects.create(catalog_item="app")
    labs = [
        LabInstance.objects.create(cluster=cluster, namespace=f"sandbox-{i}-app", lab=lab)
        for i in range(40)
    ]
    items = [(item, _crashing() if i % 2 else _healthy()) for i, item in enumerate(labs)]
    with django_assert_max_num_queries(8):
        done = lab_instances_evaluate(items=items, now=NOW)
    assert len(done) == 40
    assert LabInstance.objects.filter(status=Status.FAILED).count() == 20
    assert Evaluation.objects.count() == 40 * 3


def test_it_keeps_the_last_evidence_when_a_batch_repeats_a_lab(lab_instance):
    done = lab_instances_evaluate(
        items=[(lab_instance, _crashing()), (lab_instance, _healthy())], now=NOW
    )
    assert len(done) == 1
    lab_instance.refresh_from_db()
    assert lab_instance.status == Status.READY


def test_a_steady_batch_only_moves_the_evaluation_times(db, django_assert_num_queries):
    cluster = Cluster.objects.create(name="c3", api_url="https://api.c3.example.com:6443")
    lab = Lab.objects.create(catalog_item="app")
    labs = [
        LabInstance.objects.create(cluster=cluster, namespace=f"sandbox-{i}-app", lab=lab)
        for i in range(10)
    ]
    items = [(item, _crashing() if i % 2 else _healthy()) for i, item in enumerate(labs)]
    lab_instances_evaluate(items=items, now=NOW)
    before = {(e.pk, e.outcome, e.reason, str(e.criteria)) for e in Evaluation.objects.all()}
    later = NOW + timedelta(minutes=15)
    # savepoint, read the stored verdicts, move evaluated_at, move last_evaluated_at, release:
    # nothing upserted, no lab row rewritten
    with django_assert_num_queries(5):
        done = lab_instances_evaluate(items=items, now=later)
    assert not any(item.status_changed for item in done)
    after = {(e.pk, e.outcome, e.reason, str(e.criteria)) for e in Evaluation.objects.all()}
    assert after == before
    assert set(Evaluation.objects.values_list("evaluated_at", flat=True)) == {later}
    assert set(LabInstance.objects.values_list("last_evaluated_at", flat=True)) == {later}
    assert set(LabInstance.objects.values_list("status_changed_at", flat=True)) == {NOW}


def test_the_clock_alone_turns_progressing_into_failed(lab_instance):
    service = obj("Service", "web", spec={"selector": {"app": "web"}})
    route = obj(
        "Route",
        "web",
        {"ingress": [{"conditions": [{"type": "Admitted", "status": "True"}]}]},
        spec={"to": {"kind": "Service", "name": "web"}},
    )
    quiet = evidence(services=[service], routes=[route])
    lab_instances_evaluate(items=[(lab_instance, quiet)], now=NOW)
    lab_instances_evaluate(items=[(lab_instance, quiet)], now=NOW + timedelta(minutes=1))
    lab_instances_evaluate(items=[(lab_instance, quiet)], now=NOW + timedelta(hours=1))
    row = Evaluation.objects.get(lab_instance=lab_instance, rubric_id="route-ready")
    assert (row.outcome, row.failure_class) == ("failed", "service-no-endpoints")
    assert row.outcome_since == NOW + timedelta(hours=1)
    lab_instance.refresh_from_db()
    assert lab_instance.status == Status.FAILED
    changes = StateChange.objects.filter(lab_instance=lab_instance, rubric_id="route-ready")
    assert [(c.from_status, c.to_status) for c in changes] == [
        ("progressing", "failed"),
        ("", "progressing"),
    ]
