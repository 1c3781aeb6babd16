"""Events from the collectors, the recommendations and the LLM reviews, through the apps' own
services and stores: each source once, silences and dedup applied, provisioning failures of one
catalog item on one cluster as one incident, informational events on its timeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from collectors.models import AapJob, SourceState
from collectors.runner import source_run
from collectors.services import smoke_result_push
from collectors.tests.conftest import NOW, Configure, configure  # noqa: F401 (fixture)
from incidents.models import Event, Incident
from incidents.pipeline import events_process
from incidents.services import silence_create
from labs.models import Cluster, Lab
from labs.selectors import Audience
from labs.tests.factories import platform_operator
from recommendations.engine import Finding
from recommendations.services import findings_store
from rubrics_app.classification.proposals import proposal_accept, proposal_correct
from rubrics_app.models import ClassificationProposal, InvestigationRun
from simulator.tests.conftest import platform_services, services  # noqa: F401 (fixtures)

from .factories import cluster, lab_instance

pytestmark = [pytest.mark.django_db]


def _push(item: str, cluster_name: str, outcome: str = "fail") -> None:
    smoke_result_push(
        audience=Audience(everything=True),
        source="demolition",
        lab_code=item,
        cluster_name=cluster_name,
        outcome=outcome,
        workshop_url="",
        error_summary="step 3: login page answered 502",
        session_id="",
        session_name="",
        steps_passed=2,
        steps_failed=1 if outcome == "fail" else 0,
        now=timezone.now(),
    )


def test_smoke_test_failures_of_one_item_on_one_cluster_become_one_incident() -> None:
    lab = Lab.objects.create(catalog_item="rhel-lab")
    cluster("east")
    _push("rhel-lab", "east")
    events_process()
    first = Event.objects.get(event_type="smoke_test.failed")
    assert first.lab == lab and first.cluster == cluster("east") and first.notify
    assert first.failure_class == "smoke-test-failed" and "502" in first.message
    assert not Incident.objects.exists()
    _push("rhel-lab", "east")
    _push("rhel-lab", "east")
    events_process()
    incident = Incident.objects.get()
    assert (incident.kind, incident.lab, incident.cluster) == ("provisioning", lab, cluster("east"))
    assert incident.title.startswith("rhel-lab: 3 provisioning or smoke-test failures on east")
    # The second is a duplicate (same item and cluster within the window), the third belongs
    # to the incident: neither is notified on its own; the first was, before the incident.
    events = Event.objects.filter(event_type="smoke_test.failed").order_by("pk")
    assert [e.deduplicated for e in events] == [False, True, True]
    assert set(events.values_list("incident", flat=True)) == {incident.pk}
    assert list(events.values_list("notify", flat=True)) == [True, False, False]
    assert events_process().events == 0  # each result once
    # A quiet window later, it resolves by itself.
    later = timezone.now() + timedelta(minutes=31)
    events_process(later)
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolution_cause == "self_resolved"


def test_a_provisioning_incident_is_seen_by_its_catalog_items_team_only() -> None:
    from incidents.selectors import incidents_for
    from labs.models import Team

    ours, theirs = Team.objects.create(name="ours"), Team.objects.create(name="theirs")
    Lab.objects.create(catalog_item="rhel-lab", team=ours)
    cluster("east")
    for _ in range(3):
        _push("rhel-lab", "east")
    events_process()
    incident = Incident.objects.get(kind="provisioning")
    member, other = (User.objects.create_user(name) for name in ("mia", "otto"))
    ours.members.add(member)
    theirs.members.add(other)
    assert list(incidents_for(member)) == [incident]
    assert not incidents_for(other).exists()


def test_a_silence_on_the_catalog_item_filters_its_smoke_failures_and_their_incident() -> None:
    lab = Lab.objects.create(catalog_item="rhel-lab")
    cluster("east")
    silence_create(
        reason="known", expires_at=timezone.now() + timedelta(hours=1), user=None, lab=lab
    )
    for _ in range(3):
        _push("rhel-lab", "east")
    events_process()
    events = Event.objects.filter(event_type="smoke_test.failed")
    assert events.count() == 3 and not events.filter(notify=True).exists()
    assert all(e.silenced_by is not None for e in events) and not Incident.objects.exists()


def test_aap_provisioning_failures_become_events_with_their_item_and_cluster(
    configure: Configure,  # noqa: F811
    services: Any,  # noqa: F811
) -> None:
    configure("aap")
    run = source_run("aap", now=NOW)
    assert run is not None and run.ok, run.error
    job = AapJob.objects.filter(kind="provision").order_by("pk").first()
    assert job is not None and job.catalog_item and job.cluster
    lab = Lab.objects.create(catalog_item=job.catalog_item)
    where = Cluster.objects.create(name=job.cluster, api_url="https://127.0.0.1:1")
    AapJob.objects.filter(pk__gt=job.pk).delete()  # one job, read afresh below
    AapJob.objects.filter(pk=job.pk).delete()
    run = source_run("aap", now=NOW)
    assert run is not None and run.ok
    events_process(NOW + timedelta(minutes=1))
    provisioning = AapJob.objects.filter(kind="provision")
    events = Event.objects.filter(event_type="provision.failed")
    assert events.count() == provisioning.count() > 0
    assert not Event.objects.filter(event_type="smoke_test.failed").exists()
    mine = events.get(metadata__job_id=job.job_id)
    assert (mine.lab, mine.cluster, mine.failure_class) == (lab, where, "provision-failed")
    assert mine.metadata["job_url"] == job.job_url and job.failing_task in mine.message
    same = provisioning.filter(catalog_item=job.catalog_item, cluster=job.cluster).count()
    incident = Incident.objects.filter(kind="provisioning").first()
    assert (incident is not None) == (same >= 3)
    assert events_process(NOW + timedelta(minutes=2)).events == 0


def test_a_collector_failing_twice_is_degraded_once_and_healthy_when_back(
    configure: Configure,  # noqa: F811
    services: Any,  # noqa: F811
) -> None:
    configure("aap", timeout=0.5, retries=0)
    assert source_run("aap", now=NOW) is not None
    events_process(NOW)
    assert not Event.objects.filter(event_type__startswith="collector.").exists()
    for name in ("aap-event0", "aap-event1"):
        services.inject(name, "error_500")
    for _ in range(2):
        source_run("aap", now=NOW)
    assert SourceState.objects.get(name="aap").consecutive_failures == 2
    events_process(NOW)
    events_process(NOW)
    degraded = Event.objects.get(event_type="collector.degraded")
    assert degraded.outcome == "failing" and degraded.notify
    assert degraded.metadata["collector"] == "aap" and degraded.fingerprint == "collector:aap"
    for name in ("aap-event0", "aap-event1"):
        services.heal(name)
    source_run("aap", now=NOW)
    events_process(NOW)
    healthy = Event.objects.get(event_type="collector.healthy")
    assert not healthy.notify and healthy.outcome == "ready"


def _finding(rule: str, urgency: str, target: str, lab: Lab | None = None) -> Finding:
    return Finding(
        rule=rule,
        scope="cluster" if lab is None else "pool",
        target=target,
        urgency=urgency,
        confidence=0.9,
        confidence_reason="",
        title=f"{rule} on {target}",
        recommendation="act",
        next_action="",
        action=None,
        evidence={},
        decision_logic="",
        lab_id=lab.pk if lab else None,
    )


def test_recommendations_raise_and_resolve_events_and_join_their_items_incident() -> None:
    lab = Lab.objects.create(catalog_item="rhel-lab")
    east = cluster("east")
    for _ in range(3):
        _push("rhel-lab", "east")
    events_process()
    incident = Incident.objects.get(kind="provisioning")
    now = timezone.now()
    findings_store(
        findings=[
            _finding("pool_exhaustion", "critical", "rhel-lab-pool", lab),
            _finding("teardown_stuck", "medium", "east"),
            _finding("cluster_capacity", "low", "east"),  # low: no event
        ],
        now=now,
    )
    events_process()
    raised = Event.objects.get(event_type="recommendation.raised")
    assert raised.lab == lab and raised.metadata["rule"] == "pool_exhaustion"
    assert raised.incident == incident and not raised.notify  # told on the incident instead
    stuck = Event.objects.get(event_type="teardown.stuck")
    assert stuck.cluster == east and stuck.incident is None and stuck.notify
    assert incident.timeline.filter(kind="event", text__contains="pool_exhaustion").exists()
    findings_store(findings=[], now=now + timedelta(minutes=5))  # every finding gone
    events_process()
    resolved = Event.objects.filter(event_type="recommendation.resolved")
    assert resolved.count() == 2 and not resolved.filter(notify=True).exists()
    assert events_process().events == 0

    user = platform_operator(User.objects.create_user("olivia", password="pw"))
    client = Client()
    client.force_login(user)
    html = client.get(incident.get_absolute_url()).content.decode()
    assert "recommendation.raised" in html and "pool_exhaustion on rhel-lab-pool" in html


def _proposal(lab: Any, original: str, proposed: str) -> ClassificationProposal:
    return ClassificationProposal.objects.create(
        lab_instance=lab,
        rubric_id="deployment-ready",
        fingerprint=f"fp-{lab.pk}",
        signature=f"sig-{lab.pk}",
        original_class=original,
        proposed_class=proposed,
        confidence=0.9,
        created_at=timezone.now(),
    )


def test_a_reviewed_classification_that_changes_the_class_is_failure_classified() -> None:
    reviewer = User.objects.create_user("rita", password="pw")
    changed, kept = lab_instance("sandbox-c1-web"), lab_instance("sandbox-c2-web")
    proposal_correct(
        proposal=_proposal(changed, "crashloop", "oom-killed"),
        reviewer=reviewer,
        failure_class="image-pull-failed",
        reason="the registry answered 401",
    )
    proposal_accept(
        proposal=_proposal(kept, "crashloop", "crashloop"), reviewer=reviewer, reason="right"
    )
    _proposal(lab_instance("sandbox-c3-web"), "crashloop", "config-error")  # not reviewed
    events_process()
    event = Event.objects.get(event_type="failure.classified")
    assert (event.lab_instance, event.failure_class) == (changed, "image-pull-failed")
    assert event.metadata["original_class"] == "crashloop" and event.notify
    assert "crashloop → image-pull-failed" in event.message
    assert events_process().events == 0


def test_a_finished_investigation_is_investigation_completed_once() -> None:
    lab = lab_instance("sandbox-i1-web")
    now = timezone.now()
    InvestigationRun.objects.create(
        lab_instance=lab,
        status="complete",
        verdict="ACTIONABLE",
        failure_class="crashloop",
        answer_class="oom-killed",
        root_cause="the container exceeds its 256Mi limit",
        created_at=now - timedelta(minutes=2),
        completed_at=now - timedelta(minutes=1),
    )
    InvestigationRun.objects.create(lab_instance=lab, status="running", created_at=now)
    events_process()
    event = Event.objects.get(event_type="investigation.completed")
    assert (event.lab_instance, event.failure_class, event.outcome) == (
        lab,
        "oom-killed",
        "complete",
    )
    assert event.metadata["verdict"] == "ACTIONABLE" and "256Mi" in event.message
    assert not event.filtered and event.notify
    assert events_process().events == 0


def test_a_promoted_rule_that_reclassifies_labs_is_one_failure_classified_event() -> None:
    from rubrics_app.classification.rules import rule_activate
    from rubrics_app.models import ClassificationRule

    labs = [lab_instance(f"sandbox-r{i}-web") for i in range(3)]
    now = timezone.now()
    rule = ClassificationRule.objects.create(
        rule_id="registry-401",
        rubric_id="deployment-ready",
        message_pattern="401 Unauthorized",
        failure_class="image-pull-failed",
        replay=[
            {
                "lab": str(lab),
                "lab_instance": lab.pk,
                "rubric": "deployment-ready",
                "before": "crashloop",
                "after": "image-pull-failed",
            }
            for lab in labs
        ],
        replayed_at=now,
        created_at=now,
    )
    ClassificationRule.objects.create(  # on, but it reclassifies nothing: no event
        rule_id="quiet",
        rubric_id="deployment-ready",
        reason="CrashLoopBackOff",
        failure_class="crashloop",
        status="active",
        activated_at=now,
        created_at=now,
    )
    rule_activate(rule=rule)
    events_process()
    event = Event.objects.get(event_type="failure.classified")
    assert event.source == f"rule:{rule.pk}" and event.lab_instance is None
    assert event.failure_class == "image-pull-failed" and event.metadata["labs"] == 3
    assert "registry-401@v1 switched on: 3 labs" in event.message and event.notify
    assert events_process().events == 0


def test_the_event_admin_shows_a_catalog_items_event_to_its_team_only() -> None:
    from django.contrib import admin

    from incidents.admin import EventAdmin
    from labs.models import Team
    from labs.selectors import audience_of

    ours, theirs = Team.objects.create(name="ours"), Team.objects.create(name="theirs")
    Lab.objects.create(catalog_item="rhel-lab", team=ours)
    member, other = (User.objects.create_user(name) for name in ("mia", "otto"))
    ours.members.add(member)
    theirs.members.add(other)
    lab_instance("sandbox-o1-web", item="other-item")
    Lab.objects.filter(catalog_item="other-item").update(team=theirs)  # `theirs` sees east
    _push("rhel-lab", "east")
    events_process()
    rows = EventAdmin(Event, admin.site).audience_rows
    event = Event.objects.get(event_type="smoke_test.failed")
    assert event.cluster == cluster("east")
    assert list(rows(Event.objects.all(), audience_of(member))) == [event]
    assert not rows(Event.objects.all(), audience_of(other)).exists()
