"""StarGate on several processes, as on several pods: two Daphne web processes and three
django-q2 clusters (`manage.py qcluster`, one worker each) on PostgreSQL and Redis, scanning a
simulated fleet. Real processes on loopback (tests/stack.py); every one is stopped at the end.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule, Task

from labs.models import Cluster, Lab
from remediation.models import ActionRequest, AuditEntry
from scanning.models import ScanRun
from simulator.fleet import FleetSimulator, fleet_simulator
from simulator.generator import FleetSpec, generate_fleet
from simulator.registry import fleet_register
from tests.stack import Stack, queue_to, stack, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="several processes share PostgreSQL and Redis (the production mode)",
    ),
]
Status = ActionRequest.Status
SCAN = "tests.stack_tasks.scan_reporting_pid"


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[FleetSimulator]:
    spec = FleetSpec(
        clusters=3, namespaces=3, failure_rate=0.34, seed=5, failure_weights={"crashloop": 1.0}
    )
    sim = fleet_simulator(generate_fleet(spec), directory=tmp_path / "sim")
    fleet_register(sim=sim)
    yield sim
    sim.stop()


def session_cookie() -> str:
    user = get_user_model().objects.create_superuser("admin", "a@example.com", "unused-pw-1")
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def ws_open(url: str, path: str, cookie: str) -> websocket.WebSocket:
    ws_url = url.replace("http://", "ws://") + path
    return websocket.create_connection(ws_url, cookie=cookie, origin=url, timeout=20)


def ws_wait_for(sock: websocket.WebSocket, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = sock.recv()
        if isinstance(message, str) and text in message:
            return message
    raise AssertionError(f"no message with {text!r} within {timeout} s")


def workers_ready(running: Stack, count: int) -> list[Any]:
    workers = [running.worker() for _ in range(count)]
    for worker in workers:
        wait_until(lambda w=worker: "running." in w.log.read_text(), 30, f"{worker.name} up")
    return workers


def results(func: str) -> list[Task]:
    return list(Task.objects.filter(func=func))


def wait_tasks(func: str, count: int, timeout: float = 40) -> list[Task]:
    return wait_until(
        lambda: (done := results(func)) and len(done) >= count and done,
        timeout,
        f"{count} results of {func}",
    )


def test_it_reaches_sockets_on_both_web_processes_and_spreads_scans_over_workers(
    tmp_path: Path, fleet: FleetSimulator
) -> None:
    cookie = session_cookie()
    for name in fleet.clusters:  # each scan takes a while: the queue must spread them
        fleet.inject(name, "latency", 0.2)
    with stack(tmp_path) as running:
        webs = [running.web(), running.web()]
        workers = workers_ready(running, 3)
        sockets = [ws_open(web.url, "/ws/dashboard/", cookie) for web in webs]
        with queue_to(running.prefix):
            from django_q.tasks import async_task

            for cluster in Cluster.objects.all():
                for tier in (1, 2, 3):
                    async_task(SCAN, cluster.pk, tier)

        # The first verdicts (a worker, through Redis) reach the sockets of both web processes.
        for sock in sockets:
            ws_wait_for(sock, 'id="status-counters"')
            ws_wait_for(sock, "lab-row-")
        done = wait_tasks(SCAN, 9)
        assert all(task.success for task in done), [task.result for task in done]
        ran_on = {int(str(task.result).split()[0]) for task in done}
        used = [worker.name for worker in workers if worker.pids() & ran_on]
        assert len(used) == 3, f"scans ran on {used} only"
        assert ScanRun.objects.filter(status=ScanRun.Status.SUCCEEDED).count() == 9
        for sock in sockets:
            sock.close()


def crashlooping_labs_auto() -> None:
    Lab.objects.update(execution_mode=Lab.ExecutionMode.LOW_RISK_AUTO)


def test_it_fails_a_run_whose_worker_was_killed_and_acts_once(
    tmp_path: Path, fleet: FleetSimulator, catalog: Any
) -> None:
    crashlooping_labs_auto()
    broken = next(lab for lab in fleet.fleet.labs if lab.failure)
    cluster = Cluster.objects.get(name=broken.cluster)
    fleet.inject(cluster.name, "latency", 1.0)  # a scan of several seconds
    with stack(tmp_path, STARGATE_TASK_TIMEOUT="10") as running:
        workers = workers_ready(running, 3)
        with queue_to(running.prefix):
            from django_q.tasks import async_task

            async_task(SCAN, cluster.pk, 3)
            pid_file = tmp_path / "data" / "scan-pids" / f"{cluster.pk}-3"
            pid = int(wait_until(lambda: pid_file.exists() and pid_file.read_text(), 20, "scan"))
            run = wait_until(lambda: ScanRun.objects.filter(cluster=cluster).first(), 20, "run")
            victim = next(worker for worker in workers if pid in worker.pids())
            victim.kill()  # mid-scan, as a node kills a pod
            assert ScanRun.objects.get(pk=run.pk).status == ScanRun.Status.RUNNING

            # Past the task timeout no worker can still be running it: the sweep fails it.
            time.sleep(
                max(
                    0.0,
                    (run.started_at + dt.timedelta(seconds=10.5) - timezone.now()).total_seconds(),
                )
            )
            async_task("remediation.tasks.recover_lost_work")
            wait_until(
                lambda: ScanRun.objects.get(pk=run.pk).status == ScanRun.Status.FAILED,
                20,
                "the abandoned run failed",
            )
            assert "abandoned" in ScanRun.objects.get(pk=run.pk).errors[-1]

            # Retried, the scan finds the crash-looping labs; remediation runs twice: one
            # request per lab and action, each executed once.
            fleet.heal(cluster.name)
            async_task(SCAN, cluster.pk, 3)
            wait_until(
                lambda: ScanRun.objects.filter(cluster=cluster, status="succeeded").exists(),
                30,
                "the retried scan",
            )
            for n in (1, 2):
                async_task("remediation.tasks.remediate_labs")
                wait_tasks("remediation.tasks.remediate_labs", n)
            wait_until(
                lambda: not ActionRequest.objects.filter(status=Status.APPROVED).exists(),
                20,
                "the approved requests executed",
            )
    requests = list(ActionRequest.objects.all())
    assert requests, "the crash-looping labs got no remediation request"
    keys = [(r.lab_instance_id, r.action_id) for r in requests]
    assert len(keys) == len(set(keys)), "a lab got the same action twice: " + "; ".join(
        f"{r.pk} {r.status} {r.fingerprint} {r.reason}" for r in requests
    )
    for request in requests:
        assert request.audit_entries.filter(event=AuditEntry.Event.BEFORE).count() <= 1
    executed = AuditEntry.objects.filter(event=AuditEntry.Event.BEFORE).count()
    assert executed == len([r for r in requests if r.started_at is not None]) >= 1


def approved_request(catalog: Any, namespace: str, cluster_name: str = "sim1") -> ActionRequest:
    from remediation.services import action_request_create
    from remediation.tests.conftest import make_lab_instance

    request = action_request_create(
        lab_instance=make_lab_instance(
            namespace=namespace, cluster_name=cluster_name, max_per_hour=10, reachable=True
        ),
        action=catalog["restart-pod"],
        failure_class="crashloop",
        parameters={"pod": "web-1"},
    )
    assert request.status == Status.APPROVED
    return request


def pending_verification(catalog: Any) -> ActionRequest:
    """A succeeded action whose (last) verification check is due: its queued check is lost."""
    # A cluster of its own: the check's scan marks it unreachable (127.0.0.1:1 refuses).
    request = approved_request(catalog, "sandbox-ver01-web", cluster_name="verified")
    past = timezone.now() - dt.timedelta(seconds=5)
    ActionRequest.objects.filter(pk=request.pk).update(
        status=Status.SUCCEEDED,
        started_at=past,
        finished_at=past,
        result={},
        verify_next_at=past,
        verify_deadline=past,
    )
    return request


def fired_scan_schedule(cluster: Cluster) -> Schedule:
    """A scan schedule that fired three minutes ago; its task was in Redis, never run."""
    from scanning.schedules import TASK

    return Schedule.objects.create(
        name=f"scan-{cluster.name}-tier1",
        func=TASK,
        kwargs=repr({"cluster_id": cluster.pk, "tier": 1}),
        schedule_type=Schedule.MINUTES,
        minutes=5,
        repeats=-1,
        next_run=timezone.now() + dt.timedelta(minutes=2),
        task="a-task-lost-with-redis",
    )


def test_it_recovers_every_queued_task_after_redis_is_lost(
    tmp_path: Path, fleet: FleetSimulator, catalog: Any
) -> None:
    from django_q.brokers import get_broker
    from django_q.scheduler import scheduler
    from django_q.tasks import async_task

    from remediation.schedules import schedules_sync

    cluster = Cluster.objects.order_by("name").first()
    assert cluster is not None
    schedules_sync()
    with stack(tmp_path) as running, queue_to(running.prefix):  # no worker yet: tasks wait
        approved = [approved_request(catalog, f"sandbox-app{n:02d}-web") for n in range(3)]
        verifying = pending_verification(catalog)
        fired_scan_schedule(cluster)
        assert running.redis_keys(), "the approvals queued nothing in Redis"
        assert running.redis_lose() > 0
        assert running.redis_keys() == []
        # The Redis loss is noticed a minute later: the approvals are older than the grace.
        ActionRequest.objects.filter(pk__in=[r.pk for r in approved]).update(
            decided_at=timezone.now() - dt.timedelta(minutes=2)
        )
        workers_ready(running, 3)
        # The schedules are rows in PostgreSQL: the scheduler fires the sweeps that are due.
        Schedule.objects.filter(
            name__in=["remediation-recover-lost-work", "remediation-verify-due"]
        ).update(next_run=timezone.now() - dt.timedelta(seconds=1))
        scheduler(broker=get_broker())
        wait_until(
            lambda: (
                not ActionRequest.objects.filter(status=Status.APPROVED).exists()
                and ActionRequest.objects.get(pk=verifying.pk).recovered is not None
                and ScanRun.objects.filter(cluster=cluster, tier=1).exists()
            ),
            40,
            "the lost tasks recovered",
        )
        # Queued again and again, an action still runs once (the claim is atomic).
        for request in approved:
            for _ in range(3):
                async_task("remediation.tasks.execute_action", request.pk)
        async_task("remediation.tasks.recover_lost_work")
        wait_tasks("remediation.tasks.execute_action", 9 + 3)
    for request in approved:
        request.refresh_from_db()
        assert request.status == Status.SUCCEEDED, [
            (e.event, e.intent, e.error, e.result) for e in request.audit_entries.all()
        ]
        assert request.audit_entries.filter(event=AuditEntry.Event.BEFORE).count() == 1
    assert ActionRequest.objects.get(pk=verifying.pk).recovered is False  # checked, no cluster
    assert ScanRun.objects.filter(cluster=cluster, tier=1).count() == 1


@pytest.fixture
def catalog(db: None) -> Any:
    from remediation.catalog import catalog_load
    from remediation.management.commands.load_catalog import catalog_rows
    from remediation.models import RemediationAction
    from remediation.services import catalog_apply

    catalog_apply(rows=catalog_rows(catalog_load(settings.REMEDIATIONS_DIR / "catalog.yaml")))
    return {action.action_id: action for action in RemediationAction.objects.all()}
