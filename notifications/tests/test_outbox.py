"""The outbox: rows written in the transaction of the incident or approval change, routed by
team, severity, cluster and catalog item; escalation, acknowledge and resolve follow what each
channel was told."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from incidents.models import Incident
from labs.models import Team
from notifications.models import Channel, Notification
from notifications.outbox import fingerprint

from .factories import ROUTING_KEY, change, channel, incident, member_lab

pytestmark = pytest.mark.django_db
HOOK = "http://127.0.0.1:9/hooks/stargate"


def told(name: str) -> list[str]:
    return list(
        Notification.objects.filter(channel__name=name)
        .order_by("pk")
        .values_list("change", flat=True)
    )


def test_a_change_that_rolls_back_leaves_no_message() -> None:
    channel("ops", Channel.Kind.WEBHOOK, HOOK)
    row = incident()
    with pytest.raises(RuntimeError), transaction.atomic():
        change(row, "acknowledged", status=Incident.Status.ACKNOWLEDGED)
        assert told("ops") == ["opened", "acknowledged"]  # written in the same transaction
        raise RuntimeError
    assert told("ops") == ["opened"]


def test_routes_match_team_severity_cluster_and_catalog_item() -> None:
    web, db = Team.objects.create(name="web"), Team.objects.create(name="db")
    east = member_lab("east", "web-lab", web)
    west = member_lab("west", "db-lab", db)
    routes: dict[str, list[dict[str, Any]]] = {
        "all": [{}],
        "web-team": [{"team": web}],
        "db-team": [{"team": db}],
        "critical": [{"min_severity": "critical"}],
        "east": [{"cluster": east.cluster}],
        "db-item": [{"lab": west.lab}],
        "approvals-only": [{"topic": "approvals"}],
    }
    for name, route in routes.items():
        channel(name, Channel.Kind.WEBHOOK, HOOK, routes=route)
    incident(severity="high", members=[east])
    assert {n: told(n) for n in routes} == {
        "all": ["opened"],
        "web-team": ["opened"],
        "db-team": [],
        "critical": [],
        "east": ["opened"],
        "db-item": [],
        "approvals-only": [],
    }


def test_escalation_acknowledge_and_resolve_follow_what_each_channel_was_told() -> None:
    channel("all", Channel.Kind.WEBHOOK, HOOK)
    channel(
        "critical",
        Channel.Kind.PAGERDUTY,
        secret=ROUTING_KEY,
        routes=[{"min_severity": "critical"}],
    )
    row = incident(severity="medium")
    change(row, "updated")  # nothing new: told nothing
    change(row, "updated", severity="critical")
    change(row, "acknowledged", status=Incident.Status.ACKNOWLEDGED)
    change(row, "noted")
    change(row, "resolved", status=Incident.Status.RESOLVED, resolution_cause="self_resolved")
    change(row, "resolved")
    assert told("all") == ["opened", "escalated", "acknowledged", "resolved"]
    assert told("critical") == ["escalated", "acknowledged", "resolved"]
    bodies = [n.body for n in Notification.objects.filter(channel__name="critical").order_by("pk")]
    assert [b["event_action"] for b in bodies] == ["trigger", "acknowledge", "resolve"]
    assert {b["dedup_key"] for b in bodies} == {fingerprint(row)}
    assert "routing_key" not in bodies[0]  # the credential is added when sent, never stored


def test_each_message_has_its_own_key_and_the_incident_as_its_group() -> None:
    channel("a", Channel.Kind.SLACK, "http://127.0.0.1:9/services/x")
    channel("b", Channel.Kind.EMAIL, recipients="ops@example.com")
    row = incident()
    change(row, "acknowledged", status=Incident.Status.ACKNOWLEDGED)
    rows = list(Notification.objects.all())
    assert len({n.key for n in rows}) == 4
    assert {n.group for n in rows} == {f"incident-{row.pk}"}
    slack = Notification.objects.filter(channel__name="a").order_by("pk").first()
    assert slack is not None and slack.body["blocks"][0]["type"] == "header"
    mail = Notification.objects.filter(channel__name="b").order_by("pk").first()
    assert mail is not None and mail.body["subject"].startswith("[StarGate HIGH] opened")


def test_a_disabled_channel_or_route_is_not_written() -> None:
    channel("off", Channel.Kind.WEBHOOK, HOOK, enabled=False)
    channel("route-off", Channel.Kind.WEBHOOK, HOOK, routes=[{"enabled": False}])
    incident()
    assert Notification.objects.count() == 0
