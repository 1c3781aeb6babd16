"""The event pipeline on stored verdict changes: routine passes, deduplication, flapping,
silences, incidents by root cause, suppressed member notifications, resolution and its cause."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Cause, Event, FailureRecord, Incident, Silence
from incidents.pipeline import events_process
from incidents.selectors import open_incident_for
from incidents.services import silence_create
from labs.models import Lab
from stargate.counters import counters_read

from .factories import change, cluster, lab_instance, node

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_it_filters_routine_passes_and_turns_a_recovery_into_issue_resolved() -> None:
    lab = lab_instance("sandbox-a1-web")
    now = timezone.now()
    change(lab, "ready", at=now - timedelta(minutes=5))
    change(lab, "failed", "crashloop", at=now - timedelta(minutes=4), before="ready")
    change(lab, "ready", at=now - timedelta(minutes=1), before="failed")
    events_process(now)
    first, failed, resolved = Event.objects.order_by("at")
    assert (first.event_type, first.filtered, first.filter_reason) == (
        "evaluation.passed",
        True,
        "routine pass",
    )
    assert (failed.event_type, failed.filtered, failed.notify) == ("evaluation.failed", False, True)
    assert resolved.event_type == "issue.resolved" and not resolved.filtered
    assert resolved.metadata["previous_outcome"] == "failed"
    record = FailureRecord.objects.get()
    assert record.cause == Cause.SELF_RESOLVED and record.ttr_seconds == pytest.approx(180)


def test_it_deduplicates_the_same_failure_within_the_window() -> None:
    lab = lab_instance("sandbox-a1-web")
    now = timezone.now()
    change(lab, "failed", "crashloop", at=now - timedelta(minutes=10))
    change(lab, "progressing", at=now - timedelta(minutes=9))
    change(lab, "failed", "crashloop", at=now - timedelta(minutes=8))
    change(lab, "failed", "crashloop", at=now + timedelta(minutes=20))  # past 900 s
    events_process(now + timedelta(minutes=21))
    first, second, third = Event.objects.order_by("at")
    assert not first.filtered
    assert second.deduplicated and second.filtered and not second.notify
    assert not third.deduplicated and third.notify


def test_it_folds_flapping_into_one_flapping_event(settings: object) -> None:
    lab = lab_instance("sandbox-a1-web")
    now = timezone.now()
    for minute, to in enumerate(["failed", "ready", "failed", "ready", "failed", "ready"]):
        change(lab, to, "crashloop" if to == "failed" else "", at=now + timedelta(minutes=minute))
    events_process(now + timedelta(minutes=10))
    flapping = Event.objects.filter(event_type="lab.flapping")
    assert flapping.count() == 1
    assert flapping.get().notify
    folded = Event.objects.filter(flapping=True).exclude(event_type="lab.flapping")
    assert folded.count() == 3 and not folded.filter(notify=True).exists()


def test_silences_filter_matching_events_until_they_expire() -> None:
    east, west = (
        lab_instance("sandbox-a1-web"),
        lab_instance("sandbox-b2-web", cluster_name="west", item="rhel-lab"),
    )
    now = timezone.now()
    silence = silence_create(
        reason="planned upgrade",
        expires_at=now + timedelta(hours=1),
        user=None,
        cluster=east.cluster,
    )
    change(east, "failed", "crashloop", at=now)
    change(west, "failed", "crashloop", at=now)
    events_process()
    silenced = Event.objects.get(lab_instance=east)
    assert silenced.filtered and silenced.silenced_by == silence and not silenced.notify
    assert Event.objects.get(lab_instance=west).notify
    later = now + timedelta(hours=2)
    change(east, "failed", "oom-killed", at=later)
    events_process(later)
    assert Event.objects.get(lab_instance=east, failure_class="oom-killed").notify


def test_a_silence_by_class_team_or_item_matches_only_those() -> None:
    lab = lab_instance("sandbox-a1-web")
    now = timezone.now()
    silence_create(
        reason="known", expires_at=now + timedelta(hours=1), user=None, failure_class="oom-killed"
    )
    silence_create(
        reason="item",
        expires_at=now + timedelta(hours=1),
        user=None,
        lab=Lab.objects.create(catalog_item="other"),
    )
    change(lab, "failed", "crashloop", at=now)
    events_process()
    assert Event.objects.get().notify
    with pytest.raises(ValueError, match="needs a cluster"):
        silence_create(reason="all", expires_at=now + timedelta(hours=1), user=None)
    assert Silence.objects.count() == 2


def test_a_not_ready_node_makes_one_incident_and_suppresses_its_members() -> None:
    now = timezone.now()
    labs = [lab_instance(f"sandbox-n{i}-web", node="worker-1") for i in range(8)]
    other = lab_instance("sandbox-x9-web", node="worker-2")
    node(cluster(), "worker-1", ready=False)
    node(cluster(), "worker-2", ready=True)
    for lab in [*labs, other]:
        change(lab, "warn", "cluster-nodes-not-ready", rubric="cluster-health", at=now)
    result = events_process(now)
    incident = Incident.objects.get()
    assert (incident.kind, incident.key) == ("node", f"node:{cluster().pk}:worker-1")
    assert incident.members.count() == 8
    assert open_incident_for(labs[0]) == incident.pk and open_incident_for(other) is None
    assert incident.proposed_action == ""  # no catalog loaded in this test
    opened = [("stargate_incidents_opened", {"kind": "node"}, 1.0)]
    assert counters_read("stargate_incidents_opened") == opened  # the durable total (/metrics)
    assert incident.severity_factors["class_severity"] == "high"
    member_events = Event.objects.filter(lab_instance__in=labs)
    assert not member_events.filter(notify=True).exists()
    assert set(member_events.values_list("incident", flat=True)) == {incident.pk}
    assert Event.objects.get(lab_instance=other).notify
    assert result.notified == 1
    # The node comes back: the members recover, the incident resolves and records how.
    later = now + timedelta(minutes=10)
    for lab in [*labs, other]:
        change(lab, "ready", rubric="cluster-health", at=later, before="warn")
    events_process(later)
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolution_cause == Cause.SELF_RESOLVED
    assert incident.ttr_seconds == pytest.approx(600)
    assert not incident.members.filter(recovered_at__isnull=True).exists()
    assert open_incident_for(labs[0]) is None


def test_an_unreachable_cluster_is_one_incident_until_it_answers() -> None:
    labs = [lab_instance(f"sandbox-u{i}-web") for i in range(3)]
    east = cluster()
    events_process()
    east.reachable = False
    east.save()
    events_process()
    incident = Incident.objects.get()
    assert incident.kind == "cluster_unreachable" and incident.members.count() == 3
    degraded = Event.objects.get(event_type="cluster.degraded")
    assert degraded.incident == incident and not degraded.notify
    east.reachable = True
    east.save()
    events_process()
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert Event.objects.filter(event_type="cluster.healthy").count() == 1
    assert labs[0].pk in set(incident.members.values_list("lab_instance_id", flat=True))


def test_the_same_class_on_k_labs_of_a_cluster_is_one_incident_with_a_session_urgency() -> None:
    from forecasting.models import Session

    now = timezone.now()
    labs = [lab_instance(f"sandbox-k{i}-web") for i in range(5)]
    for lab in labs:
        change(lab, "failed", "image-pull-failed", at=now)
    events_process(now)
    incident = Incident.objects.get()
    assert incident.kind == "cluster_class"
    without = incident.severity_score
    Session.objects.create(
        lab=labs[0].lab,
        name="workshop",
        starts_at=now + timedelta(minutes=30),
        ends_at=now + timedelta(hours=3),
    )
    change(lab_instance("sandbox-k9-web"), "failed", "image-pull-failed", at=now)
    events_process(now)
    incident.refresh_from_db()
    assert incident.severity_factors["session_multiplier"] == 2.0
    assert incident.severity_score > without
    assert incident.severity == "critical"


@pytest.mark.django_db(transaction=True)
def test_a_scan_run_end_queues_the_pipeline_after_its_commit(settings: object) -> None:
    from scanning.models import ScanRun

    settings.INCIDENTS_QUEUE_AFTER_COMMIT = True  # type: ignore[attr-defined]
    lab = lab_instance("sandbox-t1-web")
    change(lab, "failed", "crashloop")
    run = ScanRun.objects.create(cluster=lab.cluster, tier=3, started_at=timezone.now())
    assert not Event.objects.exists()  # a running scan queues nothing
    run.status = ScanRun.Status.SUCCEEDED
    run.save()  # committed (autocommit): the synchronous test queue ran the pipeline
    assert Event.objects.get().event_type == "evaluation.failed"


def test_a_member_labs_remediation_request_goes_to_approval_as_part_of_the_incident() -> None:
    from django.conf import settings as django_settings

    from remediation.catalog import catalog_load
    from remediation.gates import Outcome
    from remediation.management.commands.load_catalog import catalog_rows
    from remediation.models import RemediationAction
    from remediation.services import action_request_create, catalog_apply

    now = timezone.now()
    labs = [lab_instance(f"sandbox-r{i}-web", node="worker-1") for i in range(3)]
    for lab in labs:
        lab.lab.execution_mode = "full_auto"
        lab.lab.save()
    node(cluster(), "worker-1", ready=False)
    for lab in labs:
        change(lab, "failed", "crashloop", at=now)
    events_process(now)
    incident = Incident.objects.get()
    catalog_apply(
        rows=catalog_rows(catalog_load(django_settings.REMEDIATIONS_DIR / "catalog.yaml"))
    )
    request = action_request_create(
        lab_instance=labs[0],
        action=RemediationAction.objects.get(action_id="restart-pod"),
        failure_class="crashloop",
        parameters={"pod": "web"},
        evidence={},
    )
    gates = {g["gate"]: g for g in request.decision}
    assert gates["incident"]["outcome"] == Outcome.APPROVAL.name.lower()
    assert gates["incident"]["reason"] == f"part of incident {incident.pk}"


def test_the_schedule_is_synced_once() -> None:
    from django.core.management import call_command
    from django_q.models import Schedule

    for _ in range(2):
        call_command("setup_incident_schedules", verbosity=0)
    schedule = Schedule.objects.get(name="incidents-process-events")
    assert (schedule.func, schedule.minutes) == ("incidents.tasks.process_events", 1)


def test_an_incident_requests_its_proposed_action_through_the_gates_once() -> None:
    from django.conf import settings as django_settings

    from remediation.catalog import catalog_load
    from remediation.management.commands.load_catalog import catalog_rows
    from remediation.models import ActionRequest, RemediationAction
    from remediation.services import action_request_create, catalog_apply
    from rubrics_app.models import Evaluation

    catalog_apply(
        rows=catalog_rows(catalog_load(django_settings.REMEDIATIONS_DIR / "catalog.yaml"))
    )
    now = timezone.now()
    labs = [lab_instance(f"sandbox-p{i}-web", node="worker-1") for i in range(3)]
    Lab.objects.filter(pk=labs[0].lab_id).update(execution_mode="low_risk_auto")
    node(cluster(), "worker-1", ready=False)
    for lab in labs:
        change(lab, "failed", "crashloop", at=now)
        Evaluation.objects.create(
            lab_instance=lab,
            rubric_id="deployment-ready",
            outcome="failed",
            failure_class="crashloop",
            object_ref="Pod/web",
            fingerprint=f"fp-{lab.pk}",
            evaluated_at=now,
        )
    events_process(now)

    incident = Incident.objects.get()
    assert incident.proposed_action == "restart-pod"
    request = incident.action_request
    assert request is not None and request.lab_instance in labs
    assert (request.action.action_id, request.parameters) == ("restart-pod", {"pod": "web"})
    # A low-risk action in a low_risk_auto lab would run: the incident gate sends it to approval.
    assert request.status == ActionRequest.Status.PENDING
    gates = {g["gate"]: g for g in request.decision}
    assert gates["incident"]["reason"] == f"part of incident {incident.pk}"
    assert gates["risk"]["outcome"] == "execute"
    assert incident.timeline.filter(kind="requested").count() == 1

    events_process(now + timedelta(minutes=1))  # once per incident
    assert ActionRequest.objects.count() == 1
    # The member's own request for that failure (the remediation pass) is the same request.
    own = action_request_create(
        lab_instance=request.lab_instance,
        action=RemediationAction.objects.get(action_id="restart-pod"),
        failure_class="crashloop",
        parameters={"pod": "web"},
        fingerprint=f"fp-{request.lab_instance.pk}",
    )
    assert own.pk == request.pk and ActionRequest.objects.count() == 1
