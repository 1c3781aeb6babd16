"""What writes messages: a new approval request (with its link, to the owning team's
channel) and the incident pipeline opening, growing and resolving an incident."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from incidents.models import Event, Incident
from incidents.pipeline import events_process
from incidents.tests.factories import change, cluster, lab_instance, node
from labs.models import Team
from notifications.models import Channel, Notification
from remediation.models import ActionRequest, RemediationAction
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance
from scanning.models import NodeSnapshot

from .factories import channel

pytestmark = pytest.mark.django_db
HOOK = "http://127.0.0.1:9/hooks/stargate"


def test_a_new_approval_request_tells_the_owning_teams_channel_with_a_link(
    catalog: dict[str, RemediationAction], settings: Any
) -> None:
    settings.PUBLIC_URL = "https://stargate.example.com"
    web, db = Team.objects.create(name="web"), Team.objects.create(name="db")
    channel("web", Channel.Kind.SLACK, "http://127.0.0.1:9/services/x", routes=[{"team": web}])
    channel("db", Channel.Kind.SLACK, "http://127.0.0.1:9/services/y", routes=[{"team": db}])
    channel("incidents-only", Channel.Kind.WEBHOOK, HOOK, routes=[{"topic": "incidents"}])
    instance = make_lab_instance()
    instance.lab.team = web
    instance.lab.save()
    action = catalog["rollout-restart-deployment"]
    request = action_request_create(
        lab_instance=instance,
        action=action,
        failure_class="crashloop",
        parameters={"deployment": "web"},
    )
    assert request.status == ActionRequest.Status.PENDING
    (row,) = Notification.objects.all()
    assert (row.channel.name, row.change, row.group) == (
        "web",
        "approval_requested",
        f"approval-{request.pk}",
    )
    text = str(row.body)
    assert "https://stargate.example.com/remediation/approvals/" in text
    assert "rollout-restart-deployment" in text
    # The same pending request seen again is not new: told once.
    action_request_create(
        lab_instance=instance,
        action=action,
        failure_class="crashloop",
        parameters={"deployment": "web"},
    )
    assert Notification.objects.count() == 1


def test_an_approval_request_that_rolls_back_leaves_no_message(
    catalog: dict[str, RemediationAction],
) -> None:
    channel("all", Channel.Kind.WEBHOOK, HOOK)
    with pytest.raises(RuntimeError), transaction.atomic():
        action_request_create(
            lab_instance=make_lab_instance(),
            action=catalog["rollout-restart-deployment"],
            failure_class="crashloop",
            parameters={"deployment": "web"},
        )
        assert Notification.objects.count() == 1
        raise RuntimeError
    assert Notification.objects.count() == 0


def test_the_pipeline_opens_and_resolves_an_incident_with_one_message_each() -> None:
    channel("all", Channel.Kind.WEBHOOK, HOOK)
    now = timezone.now()
    labs = [lab_instance(f"sandbox-v{i}-web", node="worker-1") for i in range(4)]
    for lab in labs:
        change(lab, "warn", "cluster-nodes-not-ready", rubric="cluster-health", at=now)
    node(cluster(), "worker-1", ready=False)
    events_process(now)
    incident = Incident.objects.get()
    (opened,) = Notification.objects.all()
    assert (opened.change, opened.incident_id) == ("opened", incident.pk)
    assert opened.body["fields"]["Labs"] == "4"  # told once its members are written
    NodeSnapshot.objects.filter(name="worker-1").update(ready=True)
    for lab in labs:
        change(lab, "pass", rubric="cluster-health", before="warn")
    events_process(timezone.now())
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESOLVED
    told = Notification.objects.filter(incident=incident).order_by("pk")
    assert list(told.values_list("change", flat=True)) == ["opened", "resolved"]


def test_a_lab_failure_outside_any_incident_is_told_on_its_own_and_members_are_not() -> None:
    channel("events", Channel.Kind.WEBHOOK, HOOK, routes=[{"topic": "events"}])
    channel("pager", Channel.Kind.PAGERDUTY, secret="x" * 32, routes=[{"topic": "events"}])
    now = timezone.now()
    alone = lab_instance("sandbox-solo-web", cluster_name="west")
    change(alone, "failed", "crashloop", at=now)
    members = [lab_instance(f"sandbox-v{i}-web", node="worker-1") for i in range(4)]
    for lab in members:
        change(lab, "warn", "cluster-nodes-not-ready", rubric="cluster-health", at=now)
    node(cluster(), "worker-1", ready=False)
    events_process(now)
    rows = list(Notification.objects.order_by("pk"))
    assert {(r.channel.name, r.change, r.group) for r in rows} == {
        ("events", "evaluation.failed", f"lab-{alone.pk}"),
        ("pager", "evaluation.failed", f"lab-{alone.pk}"),
    }
    webhook = next(r for r in rows if r.channel.name == "events")
    assert webhook.event_ref == Event.objects.get(lab_instance=alone).event_id
    assert webhook.body["title"] == "crashloop on west/sandbox-solo-web"
    assert webhook.body["url"] == f"/labs/{alone.pk}/"
    pager = next(r for r in rows if r.channel.name == "pager")
    assert pager.body["event_action"] == "trigger"
    assert pager.body["dedup_key"].startswith("stargate-event-")


def test_a_catalog_items_event_without_a_cluster_is_routed_to_its_team_with_a_link() -> None:
    from collectors.services import smoke_result_push
    from labs.models import Lab
    from labs.selectors import Audience

    ours, theirs = Team.objects.create(name="ours"), Team.objects.create(name="theirs")
    channel("ours", Channel.Kind.WEBHOOK, HOOK, routes=[{"topic": "events", "team": ours}])
    channel("theirs", Channel.Kind.WEBHOOK, HOOK, routes=[{"topic": "events", "team": theirs}])
    Lab.objects.create(catalog_item="rhel-lab", team=ours)
    smoke_result_push(
        audience=Audience(everything=True),
        source="demolition",
        lab_code="rhel-lab",
        cluster_name="nowhere",  # no such cluster in StarGate
        outcome="fail",
        workshop_url="",
        error_summary="step 3 failed",
        session_id="",
        session_name="",
        steps_passed=2,
        steps_failed=1,
        now=timezone.now(),
    )
    events_process()
    row = Notification.objects.get()
    assert (row.channel.name, row.change) == ("ours", "smoke_test.failed")
    assert row.body["title"] == "smoke-test-failed on rhel-lab"
    assert row.body["url"] == "/incidents/"
