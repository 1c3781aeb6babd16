"""Retention: old rows pruned in bounded batches; the latest of each group, running scans,
referenced rows and the audit logs are never pruned."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_q.models import Schedule

from labs.models import Cluster, Lab, LabInstance
from remediation.models import ActionRequest, AuditEntry, RemediationAction
from rubrics_app.models import StateChange
from scanning.models import EvidenceRevision, NodeSnapshot, ScanRun
from stargate import retention
from stargate.models import ConfigChange, LiveEvent
from stargate.schedules import PRUNE_SCHEDULE, PRUNE_TASK, retention_schedule_sync

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

NOW = timezone.now()


def days_ago(days: float) -> timezone.datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.objects.create(name="east", api_url="https://api.east.example.com:6443")


def make_instance(cluster: Cluster, namespace: str) -> LabInstance:
    lab, _ = Lab.objects.get_or_create(catalog_item="web")
    return LabInstance.objects.create(cluster=cluster, namespace=namespace, lab=lab)


def revision(instance: LabInstance, age_days: float) -> EvidenceRevision:
    return EvidenceRevision.objects.create(
        lab_instance=instance, evidence={}, content_hash="h", collected_at=days_ago(age_days)
    )


def by_kind(kind: str) -> retention.Retention:
    return next(r for r in retention.RETENTIONS if r.kind == kind)


def test_it_prunes_old_revisions_but_never_a_labs_latest(cluster: Cluster) -> None:
    busy, quiet = make_instance(cluster, "sandbox-a-web"), make_instance(cluster, "sandbox-b-web")
    old = [revision(busy, 30 + i) for i in range(3)]
    recent = revision(busy, 1)
    quiet_latest = revision(quiet, 40)  # the lab has not changed for 40 days: still its latest
    quiet_older = revision(quiet, 50)
    deleted = retention.prune(by_kind("evidence_revisions"), now=NOW)
    assert deleted == 4
    remaining = set(EvidenceRevision.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, quiet_latest.pk}
    assert not {r.pk for r in old} & remaining and quiet_older.pk not in remaining


def test_it_deletes_in_bounded_batches(cluster: Cluster) -> None:
    instance = make_instance(cluster, "sandbox-a-web")
    for age in range(20, 27):
        revision(instance, age)
    revision(instance, 0)
    with CaptureQueriesContext(connection) as queries:
        deleted = retention.prune(by_kind("evidence_revisions"), now=NOW, batch_size=3)
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert deleted == 7
    assert len(deletes) == 3  # 3 + 3 + 1: never one DELETE of everything
    assert EvidenceRevision.objects.count() == 1


def test_it_stops_at_the_deadline_and_leaves_the_rest(cluster: Cluster) -> None:
    instance = make_instance(cluster, "sandbox-a-web")
    for age in range(20, 26):
        revision(instance, age)
    deleted = retention.prune(by_kind("evidence_revisions"), now=NOW, batch_size=2, deadline=0)
    assert deleted == 2 and EvidenceRevision.objects.count() == 4


def test_it_keeps_each_rubrics_latest_state_change(cluster: Cluster) -> None:
    instance = make_instance(cluster, "sandbox-a-web")

    def change(rubric: str, age: float) -> StateChange:
        return StateChange.objects.create(
            lab_instance=instance, rubric_id=rubric, to_status="failed", at=days_ago(age)
        )

    lab_old, lab_latest = change("", 200), change("", 100)
    pods_latest = change("pods", 300)
    retention.prune(by_kind("state_changes"), now=NOW)
    remaining = set(StateChange.objects.values_list("pk", flat=True))
    assert remaining == {lab_latest.pk, pods_latest.pk} and lab_old.pk not in remaining


def test_it_keeps_running_scans_and_each_tiers_latest(cluster: Cluster) -> None:
    def run(tier: int, age: float, status: str = "succeeded") -> ScanRun:
        return ScanRun.objects.create(
            cluster=cluster, tier=tier, status=status, started_at=days_ago(age)
        )

    old, latest_t1 = run(1, 30), run(1, 20)
    stuck = run(2, 40, status="running")
    latest_t2, recent = run(2, 35), run(3, 1)
    assert retention.prune(by_kind("scan_runs"), now=NOW) == 1
    remaining = set(ScanRun.objects.values_list("pk", flat=True))
    assert remaining == {latest_t1.pk, stuck.pk, latest_t2.pk, recent.pk}
    assert old.pk not in remaining


def test_it_prunes_nodes_no_longer_seen_and_old_live_events(cluster: Cluster) -> None:
    def node(name: str, age: float) -> NodeSnapshot:
        return NodeSnapshot.objects.create(cluster=cluster, name=name, collected_at=days_ago(age))

    gone, seen = node("worker-gone", 10), node("worker-1", 0.01)
    old_event, new_event = LiveEvent.objects.create(), LiveEvent.objects.create()
    LiveEvent.objects.filter(pk=old_event.pk).update(created_at=days_ago(2))
    counts = retention.prune_all(now=NOW)
    assert counts["node_snapshots"] == 1 and counts["live_events"] == 1
    assert list(NodeSnapshot.objects.values_list("pk", flat=True)) == [seen.pk]
    assert list(LiveEvent.objects.values_list("pk", flat=True)) == [new_event.pk]
    assert gone.pk != seen.pk


def test_it_never_deletes_a_row_still_referenced(cluster: Cluster) -> None:
    """The rule is generic: any row another table points at stays, whatever the relation."""
    referenced, free = (
        make_instance(cluster, "sandbox-a-web"),
        make_instance(cluster, "sandbox-b-web"),
    )
    LabInstance.objects.update(first_seen_at=days_ago(100))
    revision(referenced, 1)
    policy = retention.Retention("test_instances", "labs.LabInstance", "first_seen_at", 30)
    assert retention.prune(policy, now=NOW) == 1
    assert list(LabInstance.objects.values_list("pk", flat=True)) == [referenced.pk]
    assert free.pk != referenced.pk


def test_it_never_prunes_the_audit_logs(cluster: Cluster) -> None:
    instance = make_instance(cluster, "sandbox-a-web")
    action = RemediationAction.objects.create(
        action_id="restart-pod", description="d", risk="low", scope="pod", allowed_when=["x"]
    )
    request = ActionRequest.objects.create(
        lab_instance=instance, action=action, status="succeeded", failure_class="x", source="auto"
    )
    entry = AuditEntry.objects.create(action_request=request, event="after", source="auto")
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=days_ago(3000))
    ConfigChange.objects.update(at=days_ago(3000))
    configs = ConfigChange.objects.count()
    assert configs > 0
    retention.prune_all(now=NOW)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert ConfigChange.objects.count() == configs
    pruned_models = {r.model_class() for r in retention.RETENTIONS}
    assert not pruned_models & {AuditEntry, ConfigChange, ActionRequest}


def test_it_keeps_everything_when_the_retention_is_zero(cluster: Cluster, settings: object) -> None:
    settings.RETAIN_EVIDENCE_REVISIONS_DAYS = 0  # type: ignore[attr-defined]
    instance = make_instance(cluster, "sandbox-a-web")
    revision(instance, 500), revision(instance, 400)
    assert retention.prune(by_kind("evidence_revisions"), now=NOW) == 0
    assert EvidenceRevision.objects.count() == 2


def test_it_reads_the_retention_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARGATE_RETAIN_SCAN_RUNS_DAYS", "3")
    assert by_kind("scan_runs").days() == 3
    assert by_kind("evidence_revisions").days() == 14


def test_the_command_prints_counts(cluster: Cluster) -> None:
    instance = make_instance(cluster, "sandbox-a-web")
    revision(instance, 30), revision(instance, 20), revision(instance, 0)
    out = StringIO()
    call_command("prune", "--dry-run", stdout=out)
    assert "evidence_revisions: 2 would be deleted" in out.getvalue()
    assert EvidenceRevision.objects.count() == 3
    call_command("prune", stdout=out)
    assert "evidence_revisions: 2 deleted (older than 14 days)" in out.getvalue()
    assert EvidenceRevision.objects.count() == 1


def test_the_daily_schedule_is_created_once_and_not_shifted() -> None:
    assert retention_schedule_sync(now=NOW) is True
    first = Schedule.objects.get(name=PRUNE_SCHEDULE)
    assert (first.func, first.schedule_type) == (PRUNE_TASK, Schedule.DAILY)
    assert retention_schedule_sync(now=NOW + timedelta(hours=5)) is False
    call_command("setup_retention_schedule", stdout=StringIO())
    again = Schedule.objects.get(name=PRUNE_SCHEDULE)
    assert again.next_run == first.next_run
    assert Schedule.objects.filter(func=PRUNE_TASK).count() == 1


def test_the_task_prunes_and_summarises(cluster: Cluster) -> None:
    from stargate.tasks import prune_old_rows

    instance = make_instance(cluster, "sandbox-a-web")
    revision(instance, 30), revision(instance, 0)
    summary = prune_old_rows()
    assert "evidence_revisions 1" in summary
