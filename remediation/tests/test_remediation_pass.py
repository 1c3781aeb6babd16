"""The periodic remediation pass (issue 11, items 3 to 6): it acts on the stored verdicts the
dashboard shows, keeps one open request per failure, times out requests a killed worker left,
reads no cluster (a hung one delays nobody) and survives an execution in the embedded mode.

Every lab here is scanned by the real tier-3 scan against the simulator, so the stored evidence
and verdicts are the scanner's and the rubric service's own."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from labs.models import Cluster, Lab, LabInstance, Status
from remediation import tasks
from remediation.models import ActionRequest, AuditEntry
from remediation.services import action_request_create
from remediation.tasks import remediate_labs
from scanning.models import ScanRun
from scanning.services import scan_run_execute
from simulator.generator import Fleet, FleetSpec, generate_fleet

pytestmark = [pytest.mark.django_db, pytest.mark.smoke, pytest.mark.usefixtures("catalog")]
RequestStatus = ActionRequest.Status


@dataclass
class Scanned:
    fleet: Fleet
    sim: Any
    clusters: list[Cluster]
    instances: list[LabInstance]

    def scan(self) -> None:
        for cluster in self.clusters:
            run = scan_run_execute(cluster=cluster, tier=3, force=True)
            assert run.status == ScanRun.Status.SUCCEEDED, run.errors


@pytest.fixture
def simulator_server(simulator_server: Any, settings: Any, tmp_path: Path) -> Any:
    """The scanning fixture, with the showroom probes sent to the simulator (as in scanning's
    fleet tests), so that only the generated failure fails."""
    from simulator.registry import control_file_write, simulator_dir

    settings.DATA_DIR = tmp_path / "data"

    def start(**options: Any) -> Any:
        sim = simulator_server(**options)
        control_file_write(sim=sim, directory=simulator_dir())
        return sim

    return start


def _scanned(
    simulator_server: Any, failure: str, mode: str, *, clusters: int = 1, namespaces: int = 1
) -> Scanned:
    spec = FleetSpec(
        clusters=clusters, namespaces=namespaces, failure_rate=1.0, failure_weights={failure: 1}
    )
    fleet = generate_fleet(spec)
    sim = simulator_server(fleet=fleet)
    rows = {
        name: Cluster.objects.create(
            name=name,
            api_url=sim.url(name),
            kubeconfig_path=str(sim.kubeconfig_path(name)),
            labels={"purpose": "sim", "simulated": "true"},
            simulated=True,
            insecure_lab=True,
        )
        for name in fleet.clusters
    }
    instances = []
    for record in fleet.labs:
        lab, _ = Lab.objects.get_or_create(
            catalog_item=record.catalog_item, defaults={"execution_mode": mode}
        )
        instances.append(
            LabInstance.objects.create(
                cluster=rows[record.cluster], namespace=record.namespace, guid=record.guid, lab=lab
            )
        )
    scanned = Scanned(fleet, sim, list(rows.values()), instances)
    scanned.scan()
    return scanned


# --- item 3: the pass reads the stored verdicts --------------------------------------------------


def _dv_import(scanned: Scanned, progress: str, ready_since: dt.datetime) -> None:
    """The lab's DataVolume importing again at `progress`, not Ready since `ready_since`."""
    from simulator.kinds import kind_for_path

    instance = scanned.instances[0]
    store = scanned.sim.store(instance.cluster.name)
    kind = kind_for_path("cdi.kubevirt.io", "v1beta1", "datavolumes")
    assert kind is not None
    dv = store.list(kind, instance.namespace)[0]
    dv["status"].update(phase="ImportInProgress", progress=progress)
    for condition in dv["status"]["conditions"]:
        if condition["type"] == "Ready":
            since = ready_since.strftime("%Y-%m-%dT%H:%M:%SZ")
            condition.update(status="False", reason="TransferRunning", lastTransitionTime=since)
    store.update(kind, dv)


def test_a_lab_inside_its_grace_window_never_gets_an_action(simulator_server: Any) -> None:
    scanned = _scanned(simulator_server, "datavolume_stalled", "full_auto")
    instance = scanned.instances[0]
    scanned.sim.heal_lab(instance.cluster.name, instance.namespace)  # a VM lab, all READY
    scanned.scan()
    # The import has not been Ready for 45 minutes (past the 30-minute grace), but its progress
    # moved between two scans: the engine's memory restarts the grace window (PROGRESSING).
    long_ago = timezone.now() - dt.timedelta(minutes=45)
    _dv_import(scanned, "40.00%", long_ago)
    scanned.scan()
    _dv_import(scanned, "42.00%", long_ago)
    scanned.scan()
    instance.refresh_from_db()
    assert instance.status == Status.PROGRESSING  # what the dashboard shows
    assert remediate_labs() == "0 requests"
    assert not ActionRequest.objects.exists()


def test_it_acts_on_the_failed_verdicts_the_dashboard_shows(simulator_server: Any) -> None:
    scanned = _scanned(simulator_server, "crashloop", "recommend_only", namespaces=2)
    assert set(LabInstance.objects.values_list("status", flat=True)) == {Status.FAILED}
    assert remediate_labs() == "2 requests"
    for instance in scanned.instances:
        (request,) = ActionRequest.objects.filter(lab_instance=instance)
        verdict = instance.evaluations.get(outcome=Status.FAILED)
        assert request.fingerprint == verdict.fingerprint
        assert (request.failure_class, request.status) == ("crashloop", RequestStatus.RECOMMENDED)


# --- item 4: one open request per failure; stuck requests time out -------------------------------


def test_repeated_passes_refresh_one_request_per_failure(simulator_server: Any) -> None:
    scanned = _scanned(simulator_server, "crashloop", "recommend_only", namespaces=2)
    remediate_labs()
    first_seen = dict(ActionRequest.objects.values_list("pk", "last_seen_at"))
    for _ in range(3):
        scanned.scan()
        assert remediate_labs() == "2 requests"
    assert ActionRequest.objects.count() == 2
    assert AuditEntry.objects.count() == 2  # the decision never changed: no new audit row
    for pk, last_seen in ActionRequest.objects.values_list("pk", "last_seen_at"):
        assert last_seen > first_seen[pk]


def test_refused_requests_do_not_pile_up_either(simulator_server: Any, settings: Any) -> None:
    _scanned(simulator_server, "crashloop", "low_risk_auto")
    settings.REMEDIATION_ALLOWED_PREFIXES = ["elsewhere-"]  # the namespace gate refuses
    for _ in range(3):
        remediate_labs()
    request = ActionRequest.objects.get()
    assert request.status == RequestStatus.REJECTED
    assert request.audit_entries.count() == 1


def test_a_changed_decision_updates_the_request_with_one_audit_row(
    simulator_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scanned = _scanned(simulator_server, "crashloop", "recommend_only")
    remediate_labs()
    Lab.objects.update(execution_mode=Lab.ExecutionMode.FULL_AUTO)
    with override_settings(DRY_RUN=True), django_capture_on_commit_callbacks(execute=True):
        remediate_labs()
        remediate_labs()
    request = ActionRequest.objects.get(lab_instance=scanned.instances[0])
    assert request.status == RequestStatus.SUCCEEDED  # redecided, approved, run (dry run)
    events = list(request.audit_entries.values_list("event", flat=True))
    assert events == ["requested", "redecided", "before", "after"]


def _stuck(instance: LabInstance, status: str, action: Any, minutes_ago: int) -> ActionRequest:
    at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    request = ActionRequest.objects.create(
        lab_instance=instance,
        action=action,
        status=status,
        failure_class="crashloop",
        source="auto",
        parameters={"pod": "web-1"},
        last_seen_at=at,
        started_at=at if status == RequestStatus.EXECUTING else None,
    )
    ActionRequest.objects.filter(pk=request.pk).update(created_at=at)
    return request


@override_settings(REMEDIATION_EXECUTION_TIMEOUT_MINUTES=30)
def test_requests_a_killed_worker_left_time_out_and_stop_blocking(
    catalog: Any, lab_instance: LabInstance
) -> None:
    restart = catalog["restart-pod"]
    approved = _stuck(lab_instance, RequestStatus.APPROVED, restart, 31)
    executing = _stuck(
        lab_instance, RequestStatus.EXECUTING, catalog["rollout-restart-deployment"], 45
    )
    recent = _stuck(lab_instance, RequestStatus.EXECUTING, catalog["sandbox-recreate-namespace"], 5)
    assert (
        action_request_create(
            lab_instance=lab_instance,
            action=restart,
            failure_class="crashloop",
            parameters={"pod": "web-2"},
        )
        == approved
    )  # (still blocks its action)
    assert tasks.time_out_requests() == "2 timed out"
    for request in (approved, executing):
        request.refresh_from_db()
        assert request.status == RequestStatus.FAILED
        assert request.finished_at is not None and "timed out" in request.error
        (entry,) = request.audit_entries.all()
        assert (entry.event, entry.ok) == (AuditEntry.Event.TIMED_OUT, False)
    recent.refresh_from_db()
    assert recent.status == RequestStatus.EXECUTING
    fresh = action_request_create(
        lab_instance=lab_instance,
        action=restart,
        failure_class="crashloop",
        parameters={"pod": "web-2"},
    )
    assert fresh.pk not in (approved.pk, executing.pk)


def test_the_timeout_task_is_scheduled() -> None:
    from remediation.schedules import SCHEDULES

    funcs = {spec.func for spec in SCHEDULES}
    assert "remediation.tasks.time_out_requests" in funcs


# --- item 5: one hung cluster delays no other cluster's labs ------------------------------------


def test_a_hung_cluster_does_not_delay_the_other_clusters_labs(
    simulator_server: Any, settings: Any
) -> None:
    scanned = _scanned(
        simulator_server, "anarchy_provision_failed", "recommend_only", clusters=2, namespaces=3
    )
    settings.K8S_READ_TIMEOUT = 5
    hung, healthy = scanned.clusters
    scanned.sim.inject(hung.name, "hang", 60)
    started = time.monotonic()
    summary = remediate_labs()
    elapsed = time.monotonic() - started
    scanned.sim.heal(hung.name)
    assert elapsed < 4, f"the pass took {elapsed:.1f} s"
    assert summary == "6 requests"
    on_healthy = ActionRequest.objects.filter(lab_instance__cluster=healthy)
    assert on_healthy.count() == 3
    # The subject the pre-flight judged is the one the scan stored with the lab's evidence.
    for request in on_healthy:
        (subject,) = request.evidence["anarchysubjects"]
        assert subject["spec"]["vars"]["current_state"] == "provision-failed"


# --- item 6: the embedded mode's broker closes connections under the pass ----------------------


@pytest.mark.django_db(transaction=True)
def test_the_pass_goes_on_after_queueing_executions_through_the_orm_broker(
    simulator_server: Any, catalog: Any, monkeypatch: Any
) -> None:
    from django_q.conf import Conf
    from django_q.models import OrmQ

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database ignores close(): the failure cannot show")
    _scanned(simulator_server, "crashloop", "low_risk_auto", namespaces=3)
    # The embedded mode's task queue, for real: the ORM broker, not the tests' synchronous run.
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", "default")
    assert remediate_labs() == "3 requests"
    assert ActionRequest.objects.filter(status=RequestStatus.APPROVED).count() == 3
    assert OrmQ.objects.count() == 3


def test_the_pre_flight_judges_the_subject_the_scan_stored(simulator_server: Any) -> None:
    from simulator.controllers import SUBJECTS

    scanned = _scanned(simulator_server, "crashloop", "low_risk_auto")
    instance = scanned.instances[0]
    store = scanned.sim.store(instance.cluster.name)
    (subject,) = [
        s
        for s in store.list(SUBJECTS)
        if s["spec"]["vars"]["job_vars"].get("sandbox_openshift_namespace") == instance.namespace
    ]
    subject["spec"]["vars"]["current_state"] = "stopping"
    store.update(SUBJECTS, subject)
    scanned.scan()
    remediate_labs()
    request = ActionRequest.objects.get()
    assert request.status == RequestStatus.REJECTED
    assert "AnarchySubject is stopping" in request.reason


@override_settings(EXECUTION_TARGET="production")
def test_a_pass_never_repeats_an_action_whose_verification_is_pending(
    simulator_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    scanned = _scanned(simulator_server, "crashloop", "full_auto")
    with django_capture_on_commit_callbacks(execute=True):
        remediate_labs()
    (request,) = ActionRequest.objects.filter(lab_instance=scanned.instances[0])
    assert request.status == RequestStatus.SUCCEEDED
    assert request.recovered is None and request.verify_next_at is not None, request.result
    LabInstance.objects.filter(pk=scanned.instances[0].pk).update(status=Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        remediate_labs()  # the stored verdict still fails: the fix is being verified
    assert ActionRequest.objects.filter(lab_instance=scanned.instances[0]).count() == 1
    assert request.audit_entries.filter(event=AuditEntry.Event.BEFORE).count() == 1
