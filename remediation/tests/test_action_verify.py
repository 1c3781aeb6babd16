"""Verification as follow-up checks driven by a clock: nothing here sleeps."""

from __future__ import annotations

import datetime as dt

import pytest
from django_q.models import Schedule

from labs.models import Cluster, LabInstance
from remediation import verification
from remediation.executors.rhdp_poolboy import PoolboyExecutor
from remediation.models import ActionRequest, RemediationAction
from remediation.tests.conftest import make_lab_instance
from remediation.verification import action_verify, verification_schedule, verifications_due
from simulator.controllers import POOLS
from simulator.generator import FleetSpec, generate_fleet
from simulator.platform import POOL_NAMESPACE

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]
Status = ActionRequest.Status
T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


class FakeProbe:
    """Our own seam (PROBES), standing in for the re-scan: answers what the test says."""

    def __init__(self, *answers: bool) -> None:
        self.answers, self.calls = list(answers), 0

    def __call__(self, request: ActionRequest, context: object) -> bool:
        self.calls += 1
        return self.answers.pop(0)


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def install(method: str, *answers: bool) -> FakeProbe:
        fake = FakeProbe(*answers)
        monkeypatch.setitem(verification.PROBES, method, fake)
        return fake

    return install


def _succeeded(
    action: RemediationAction, instance: LabInstance | None = None, **fields
) -> ActionRequest:  # type: ignore[no-untyped-def]
    request = ActionRequest.objects.create(
        lab_instance=instance or make_lab_instance(),
        action=action,
        status=Status.SUCCEEDED,
        failure_class="crashloop",
        source="auto",
        finished_at=T0,
        **{"parameters": {"pod": "web-1"}, "result": {"deleted_pod": "web-1"}, **fields},
    )
    verification_schedule(action_request=request, now=T0)
    request.refresh_from_db()
    return request


def _events(request: ActionRequest) -> list[str]:
    return list(request.audit_entries.values_list("event", flat=True))


def test_it_schedules_a_follow_up_check_instead_of_waiting(catalog, probe) -> None:
    fake = probe("kubernetes", True)
    request = _succeeded(catalog["restart-pod"])
    assert (request.verify_deadline, request.verify_next_at) == (
        T0 + 300 * SECOND,
        T0 + 10 * SECOND,
    )
    (once,) = Schedule.objects.filter(func="remediation.tasks.verify_action")
    assert (once.schedule_type, once.args, once.next_run) == (
        Schedule.ONCE,
        repr(request.pk),
        T0 + 10 * SECOND,
    )
    action_verify(action_request_id=request.pk, now=T0 + 9 * SECOND)  # not due yet
    assert fake.calls == 0


def test_it_records_recovery_with_the_time_since_execution(catalog, probe) -> None:
    probe("kubernetes", True)
    request = _succeeded(catalog["restart-pod"])
    request = action_verify(action_request_id=request.pk, now=T0 + 10 * SECOND)
    assert (request.recovered, request.recovered_seconds) == (True, 10.0)
    assert request.verify_next_at is None
    assert _events(request) == ["verified"]


def test_it_schedules_the_next_check_while_the_window_lasts(catalog, probe) -> None:
    probe("kubernetes", False)
    request = _succeeded(catalog["restart-pod"])
    request = action_verify(action_request_id=request.pk, now=T0 + 10 * SECOND)
    assert request.recovered is None
    assert request.verify_next_at == T0 + 20 * SECOND
    assert Schedule.objects.filter(func="remediation.tasks.verify_action").count() == 2
    assert _events(request) == []


def test_it_escalates_when_the_deadline_passes_without_recovery(catalog, probe) -> None:
    probe("kubernetes", False)
    request = _succeeded(catalog["restart-pod"])
    request = action_verify(action_request_id=request.pk, now=T0 + 300 * SECOND)
    assert (request.recovered, request.escalated) == (False, True)
    assert request.verify_next_at is None
    assert _events(request) == ["verified", "escalated"]


def test_it_records_once_when_two_checks_run_at_once(catalog, probe) -> None:
    fake = probe("kubernetes", True, True)
    request = _succeeded(catalog["restart-pod"])
    action_verify(action_request_id=request.pk, now=T0 + 10 * SECOND)
    action_verify(action_request_id=request.pk, now=T0 + 10 * SECOND)
    assert fake.calls == 1
    assert _events(request) == ["verified"]


def test_it_runs_due_checks_from_the_periodic_task(catalog, probe) -> None:
    probe("kubernetes", True)
    request = _succeeded(catalog["restart-pod"])
    assert verifications_due(now=T0 + 5 * SECOND) == []
    (checked,) = verifications_due(now=T0 + 60 * SECOND)
    assert (checked.pk, checked.recovered) == (request.pk, True)


def test_it_does_not_verify_what_only_recorded_its_intent(catalog, probe) -> None:
    fake = probe("kubernetes", True)
    request = _succeeded(catalog["restart-pod"], result={"recorded_only": "mock target"})
    assert request.verify_next_at is None
    assert not Schedule.objects.filter(func="remediation.tasks.verify_action").exists()
    assert verifications_due(now=T0 + 60 * SECOND) == []
    assert fake.calls == 0


def test_it_rolls_back_an_undoable_action_that_did_not_help(
    catalog, probe, simulator_server, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.EXECUTION_TARGET = "test"
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=1, failure_rate=0.0))
    sim = simulator_server(stores=fleet.stores())
    name = fleet.clusters[0]
    cluster = Cluster.objects.create(
        name=name,
        api_url=sim.url(name),
        kubeconfig_path=str(sim.kubeconfig_path(name)),
        labels={"purpose": "sim"},
    )
    instance = make_lab_instance(namespace=fleet.labs[0].namespace, cluster_name=cluster.name)
    pool = sim.store().list(POOLS, POOL_NAMESPACE)[0]
    pool_name, before = pool["metadata"]["name"], pool["spec"]["minAvailable"]
    params = {"pool": pool_name, "pool_namespace": POOL_NAMESPACE, "min_available": before + 3}
    from remediation.execution import execution_context

    probe("rhdp_poolboy", False)
    request = _succeeded(catalog["pool-scale"], instance, parameters=params, result={})
    result = PoolboyExecutor(context=execution_context(request)).execute()
    ActionRequest.objects.filter(pk=request.pk).update(result={"undo": result.undo})
    assert sim.store().get(POOLS, POOL_NAMESPACE, pool_name)["spec"]["minAvailable"] == before + 3

    request = action_verify(action_request_id=request.pk, now=T0 + 300 * SECOND)
    assert (request.recovered, request.escalated) == (False, True)
    assert sim.store().get(POOLS, POOL_NAMESPACE, pool_name)["spec"]["minAvailable"] == before
    assert _events(request) == ["verified", "rolled_back", "escalated"]


def test_it_runs_a_check_from_its_one_off_schedule_through_the_q2_scheduler(catalog, probe) -> None:
    from django.utils import timezone
    from django_q.brokers import get_broker
    from django_q.scheduler import scheduler

    fake = probe("kubernetes", True)
    earlier = timezone.now() - 20 * SECOND
    request = ActionRequest.objects.create(
        lab_instance=make_lab_instance(),
        action=catalog["restart-pod"],
        status=Status.SUCCEEDED,
        failure_class="crashloop",
        source="auto",
        finished_at=earlier,
        parameters={"pod": "web-1"},
        result={"deleted_pod": "web-1"},
    )
    verification_schedule(action_request=request, now=earlier)  # first check is due already
    scheduler(broker=get_broker())  # what the cluster's scheduler does; q2 runs sync in tests
    request.refresh_from_db()
    assert (fake.calls, request.recovered) == (1, True)
    assert not Schedule.objects.filter(func="remediation.tasks.verify_action").exists()
