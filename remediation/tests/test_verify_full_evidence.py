"""Verification judges on the scan's full evidence (showroom probe, cluster health, lab context),
and a cluster that cannot be reached during verification is "not yet recovered", never a crash.

Real simulated clusters over HTTP: the showroom pages are probed for real, faults are injected
into the cluster's API."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from labs.models import Cluster, Lab, LabInstance, Status
from remediation.models import ActionRequest, AuditEntry, RemediationAction
from remediation.services import action_request_create
from remediation.tests.sim import verify_until_done
from remediation.verification import action_verify, verification_schedule, verifications_due
from rubrics_app.models import Evaluation
from scanning.models import LabEvidence, ScanRun
from scanning.services import scan_run_execute
from simulator.fleet import FleetSimulator
from simulator.generator import FleetSpec, generate_fleet
from simulator.registry import control_file_write, simulator_dir

pytestmark = [pytest.mark.django_db, pytest.mark.smoke, pytest.mark.usefixtures("catalog")]
FAST_VERIFY = {
    "EXECUTION_TARGET": "test",
    "REMEDIATION_VERIFY_WINDOW_SECONDS": 3,
    "REMEDIATION_VERIFY_INTERVAL_SECONDS": 1,
}


def _fleet(
    simulator_server: Callable[..., Any], settings: Any, tmp_path: Path, failure: str
) -> tuple[FleetSimulator, Cluster]:
    settings.DATA_DIR = tmp_path / "data"
    spec = FleetSpec(clusters=1, namespaces=1, failure_rate=1.0, failure_weights={failure: 1.0})
    sim: FleetSimulator = simulator_server(fleet=generate_fleet(spec))
    control_file_write(sim=sim, directory=simulator_dir())
    name = sim.fleet.clusters[0]
    cluster = Cluster.objects.create(
        name=name,
        api_url=sim.url(name),
        kubeconfig_path=str(sim.kubeconfig_path(name)),
        labels={"simulated": "true", "purpose": "sim"},
        simulated=True,
        insecure_lab=True,
    )
    return sim, cluster


def _scan(cluster: Cluster, tier: int = 3) -> None:
    run = scan_run_execute(cluster=cluster, tier=tier, force=True)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors


def _failing_lab(cluster: Cluster, failure_class: str) -> LabInstance:
    _scan(cluster, tier=1)  # nodes: the cluster health every namespace's evidence carries
    for _ in range(3):  # one failed showroom probe warns; three in a row fail
        _scan(cluster)
    instance = LabInstance.objects.select_related("lab").get(cluster=cluster)
    Lab.objects.filter(pk=instance.lab_id).update(execution_mode="low_risk_auto")
    instance.refresh_from_db()
    assert (instance.status, instance.failure_class) == (Status.FAILED, failure_class)
    return instance


def _action(action_id: str) -> RemediationAction:
    return RemediationAction.objects.get(action_id=action_id)


def _events(request: ActionRequest) -> list[tuple[str, bool]]:
    return list(request.audit_entries.order_by("pk").values_list("event", "ok"))


@override_settings(**FAST_VERIFY)
def test_it_escalates_a_showroom_restart_when_the_showroom_stays_down(
    simulator_server, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    _, cluster = _fleet(simulator_server, settings, tmp_path, "showroom_content_missing")
    instance = _failing_lab(cluster, "showroom-content-missing")
    failing = Evaluation.objects.filter(lab_instance=instance, outcome=Status.FAILED)
    assert list(failing.values_list("rubric_id", flat=True)) == ["showroom-healthy"]

    with django_capture_on_commit_callbacks(execute=True):
        request = action_request_create(
            lab_instance=instance,
            action=_action("restart-showroom"),
            failure_class="showroom-content-missing",
            parameters={"deployment": "showroom"},
            evidence=LabEvidence.objects.get(lab_instance=instance).evidence,
        )
    request.refresh_from_db()
    assert request.status == ActionRequest.Status.SUCCEEDED, request.error

    request = verify_until_done(request)  # the page still misses its content
    assert (request.recovered, request.escalated) == (False, True)
    assert _events(request)[-2:] == [
        (AuditEntry.Event.VERIFIED, False),
        (AuditEntry.Event.ESCALATED, False),
    ]
    instance.refresh_from_db()
    assert (instance.status, instance.failure_class) == (Status.FAILED, "showroom-content-missing")
    assert Evaluation.objects.filter(lab_instance=instance, rubric_id="showroom-healthy").exists()
    evidence = LabEvidence.objects.get(lab_instance=instance).evidence
    assert evidence["showroom"]["consecutive_failures"] >= 4  # verification probed it too
    assert evidence["cluster_health"]["nodes_total"] > 0
    assert evidence["lab"]["catalog_item"] == instance.lab.catalog_item


@override_settings(**FAST_VERIFY)
def test_it_records_recovery_when_the_showroom_comes_back(
    simulator_server, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    sim, cluster = _fleet(simulator_server, settings, tmp_path, "showroom_content_missing")
    instance = _failing_lab(cluster, "showroom-content-missing")
    with django_capture_on_commit_callbacks(execute=True):
        request = action_request_create(
            lab_instance=instance,
            action=_action("restart-showroom"),
            failure_class="showroom-content-missing",
            parameters={"deployment": "showroom"},
        )
    sim.heal_lab(cluster.name, instance.namespace)
    request = verify_until_done(request)
    assert (request.recovered, request.escalated) == (True, False)
    instance.refresh_from_db()
    assert instance.status == Status.READY


def _succeeded_restart(instance: LabInstance) -> ActionRequest:
    from django.utils import timezone

    request = ActionRequest.objects.create(
        lab_instance=instance,
        action=RemediationAction.objects.get(action_id="restart-pod"),
        status=ActionRequest.Status.SUCCEEDED,
        failure_class="crashloop",
        source="auto",
        finished_at=timezone.now(),
        parameters={"pod": "web-1"},
        result={"deleted_pod": "web-1"},
    )
    verification_schedule(action_request=request)
    request.refresh_from_db()
    return request


@override_settings(**FAST_VERIFY)
def test_it_counts_an_unreachable_cluster_as_not_yet_recovered_then_escalates(
    simulator_server, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    sim, cluster = _fleet(simulator_server, settings, tmp_path, "crashloop")
    _scan(cluster)
    instance = LabInstance.objects.get(cluster=cluster)
    request = _succeeded_restart(instance)
    sim.inject(cluster.name, "error_500")

    first = action_verify(action_request_id=request.pk, now=request.verify_next_at)
    assert (first.recovered, first.escalated) == (None, False)
    assert first.verify_next_at is not None  # the next check is scheduled

    request = action_verify(action_request_id=request.pk, now=request.verify_deadline)
    assert (request.recovered, request.escalated) == (False, True)
    escalated = request.audit_entries.get(event=AuditEntry.Event.ESCALATED)
    assert "unreachable" in escalated.intent
    instance.refresh_from_db()
    assert instance.status == Status.STALE  # the cluster is marked as a scan would


@override_settings(**FAST_VERIFY)
def test_it_keeps_checking_the_others_when_one_check_breaks(
    simulator_server, settings, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from remediation import verification

    sim, cluster = _fleet(simulator_server, settings, tmp_path, "crashloop")
    _scan(cluster)
    instance = LabInstance.objects.get(cluster=cluster)
    broken, healthy = _succeeded_restart(instance), _succeeded_restart(instance)
    real = verification.PROBES["kubernetes"]

    def probe(request: ActionRequest, context: Any) -> bool:
        if request.pk == broken.pk:
            raise RuntimeError("a bug in one check")
        return real(request, context)

    monkeypatch.setitem(verification.PROBES, "kubernetes", probe)
    sim.heal_lab(cluster.name, instance.namespace)
    checked = verifications_due(now=healthy.verify_deadline)
    assert {r.pk for r in checked} == {broken.pk, healthy.pk}
    broken.refresh_from_db()
    healthy.refresh_from_db()
    assert (healthy.recovered, broken.recovered, broken.escalated) == (True, False, True)
    assert broken.audit_entries.filter(event=AuditEntry.Event.ESCALATED).exists()


@override_settings(**FAST_VERIFY)
def test_it_escalates_and_audits_a_rollback_the_down_cluster_refused(
    simulator_server, settings, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from remediation import verification
    from remediation.execution import execution_context
    from remediation.executors.rhdp_poolboy import PoolboyExecutor
    from simulator.controllers import POOLS
    from simulator.platform import POOL_NAMESPACE

    sim, cluster = _fleet(simulator_server, settings, tmp_path, "crashloop")
    _scan(cluster)
    instance = LabInstance.objects.get(cluster=cluster)
    pool = sim.store().list(POOLS, POOL_NAMESPACE)[0]
    params = {
        "pool": pool["metadata"]["name"],
        "pool_namespace": POOL_NAMESPACE,
        "min_available": pool["spec"]["minAvailable"] + 3,
    }
    request = ActionRequest.objects.create(
        lab_instance=instance,
        action=RemediationAction.objects.get(action_id="pool-scale"),
        status=ActionRequest.Status.SUCCEEDED,
        failure_class="crashloop",
        source="auto",
        parameters=params,
        result={},
    )
    undo = PoolboyExecutor(context=execution_context(request)).execute().undo
    ActionRequest.objects.filter(pk=request.pk).update(result={"undo": undo})
    # Verified by the lab's re-scan, so that the check itself meets the refused connection too.
    monkeypatch.setitem(verification.PROBES, "rhdp_poolboy", verification.lab_recovered)
    verification_schedule(action_request=request)
    request.refresh_from_db()
    sim.inject(cluster.name, "refused")  # urllib3 errors, not the executors' ExecutionError
    request = action_verify(action_request_id=request.pk, now=request.verify_deadline)
    assert (request.recovered, request.escalated) == (False, True)
    assert _events(request) == [
        (AuditEntry.Event.VERIFIED, False),
        (AuditEntry.Event.ROLLED_BACK, False),
        (AuditEntry.Event.ESCALATED, False),
    ]
