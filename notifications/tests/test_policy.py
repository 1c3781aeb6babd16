"""Policy notifications (contract 23.5) against the loopback Slack receiver: critical and high
recommendations only, the contract's payload, one message per key until its recommendation
disappears and comes back or 24 h pass, at most 5 per cycle, routed by team."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_q.models import Schedule

from labs.models import Cluster, Lab, Team
from notifications.delivery import deliver_due
from notifications.models import Channel, Notification, PolicyNotice
from notifications.policy import policy_notifications_send
from notifications.schedules import schedules_sync
from recommendations.models import Recommendation
from recommendations.services import recommendations_refresh
from recommendations.tests.conftest import make_demo
from simulator.receivers import Receiver

from .factories import channel

pytestmark = pytest.mark.django_db
TOPIC = [{"topic": "recommendations"}]


def recommend(rule: str, target: str, urgency: str = "critical", **fields: Any) -> Recommendation:
    return Recommendation.objects.create(
        key=f"{rule}:{target}",
        rule=rule,
        scope=fields.pop("scope", "pool"),
        target=target,
        urgency=urgency,
        confidence=0.95,
        confidence_reason="contract numbers",
        title=f"{target}: {rule}",
        recommendation=fields.pop("text", f"Act on {target}."),
        **fields,
    )


def slack_texts(receiver: Receiver) -> list[str]:
    return [r.body["text"] for r in receiver.received("slack")]


def cycle(now: datetime) -> int:
    told = policy_notifications_send(now=now).told
    deliver_due(max(now, timezone.now()) + timedelta(seconds=1))
    return told


def test_without_a_routed_target_nothing_is_told_or_recorded(receiver: Receiver) -> None:
    recommend("pool_exhaustion", "lb1208-pool")
    channel("approvals", Channel.Kind.SLACK, receiver.slack_url, routes=[{"topic": "approvals"}])
    assert policy_notifications_send().told == 0
    assert not Notification.objects.exists() and not PolicyNotice.objects.exists()


def test_critical_and_high_are_told_with_the_contract_payload(receiver: Receiver) -> None:
    channel("slack", Channel.Kind.SLACK, receiver.slack_url, routes=TOPIC)
    recommend("aap_sli_breach", "platform", text="Provision SLI 88 % is under 93 %.")
    recommend("pool_exhaustion", "lb1208-pool", "high")
    recommend("substrate_routing", "ocpv01", "medium", scope="cluster")
    recommend("guest_agent_disconnected", "LB1208", "low", scope="lab")
    assert cycle(timezone.now()) == 2
    [critical, high] = receiver.received("slack")
    assert critical.body == {
        "text": "[StarGate CRITICAL] aap_sli_breach: Provision SLI 88 % is under 93 %.",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "*CRITICAL*: aap_sli_breach\nProvision SLI 88 % is under 93 %.\n"
                    "Target: `platform`",
                },
            }
        ],
    }
    assert high.body["text"] == "[StarGate HIGH] pool_exhaustion: Act on lb1208-pool."
    assert set(Notification.objects.values_list("state", flat=True)) == {"delivered"}
    assert set(PolicyNotice.objects.values_list("key", flat=True)) == {
        "aap_sli_breach:platform",
        "pool_exhaustion:lb1208-pool",
    }


def test_a_key_is_told_again_only_after_it_came_back_or_after_24_hours(
    receiver: Receiver,
) -> None:
    channel("slack", Channel.Kind.SLACK, receiver.slack_url, routes=TOPIC)
    row = recommend("pool_exhaustion", "lb1208-pool")
    now = timezone.now()
    assert cycle(now) == 1
    assert cycle(now + timedelta(minutes=1)) == 0
    assert cycle(now + timedelta(hours=23, minutes=59)) == 0
    assert cycle(now + timedelta(hours=24)) == 1  # the repeat after 24 h
    assert PolicyNotice.objects.get().times == 2
    # It disappears (resolved) and comes back: a new open row of the same key is told at once.
    Recommendation.objects.filter(pk=row.pk).update(status="resolved", resolved_at=now)
    assert cycle(now + timedelta(hours=24, minutes=2)) == 0
    recommend("pool_exhaustion", "lb1208-pool")
    assert cycle(now + timedelta(hours=24, minutes=3)) == 1
    assert len(slack_texts(receiver)) == 3
    assert PolicyNotice.objects.get().times == 3


def test_at_most_five_are_told_per_cycle_and_the_rest_wait(receiver: Receiver) -> None:
    channel("slack", Channel.Kind.SLACK, receiver.slack_url, routes=TOPIC)
    for i in range(6):
        recommend("pool_exhaustion", f"pool-{i}", "high")
    recommend("aap_provision_failing", "LB1208", scope="lab")
    now = timezone.now()
    assert cycle(now) == 5
    texts = slack_texts(receiver)
    assert texts[0].startswith("[StarGate CRITICAL] aap_provision_failing")  # critical first
    assert cycle(now + timedelta(minutes=1)) == 2
    assert cycle(now + timedelta(minutes=2)) == 0
    assert len(slack_texts(receiver)) == 7


def test_routes_scope_them_by_team_and_cluster(receiver: Receiver) -> None:
    web, db = Team.objects.create(name="web"), Team.objects.create(name="db")
    lab = Lab.objects.create(catalog_item="summit.lb1208-cnv.event", team=web)
    east = Cluster.objects.create(name="east", api_url="https://127.0.0.1:1")
    channel("web", Channel.Kind.WEBHOOK, receiver.webhook_url, routes=[{"team": web}])
    channel("db", Channel.Kind.WEBHOOK, receiver.webhook_url, routes=[{"team": db}])
    channel("east", Channel.Kind.WEBHOOK, receiver.webhook_url, routes=[{"cluster": east}])
    channel(
        "critical",
        Channel.Kind.WEBHOOK,
        receiver.webhook_url,
        routes=[{"topic": "recommendations", "min_severity": "critical"}],
    )
    recommend("pool_exhaustion", "lb1208-pool", "high", team=web, lab=lab)
    recommend("cluster_capacity", "east", "high", scope="cluster")
    policy_notifications_send()
    told = {
        name: sorted(
            Notification.objects.filter(channel__name=name).values_list("title", flat=True)
        )
        for name in ("web", "db", "east", "critical")
    }
    assert told == {
        "web": ["lb1208-pool: pool_exhaustion"],
        "db": [],
        "east": ["east: cluster_capacity"],
        "critical": [],
    }


def test_the_schedule_runs_every_minute_by_default() -> None:
    schedules_sync()
    row = Schedule.objects.get(name="notifications-policy")
    assert (row.func, row.minutes) == ("notifications.tasks.notify_policy", 1)


def test_the_demo_low_pool_reaches_slack(receiver: Receiver) -> None:
    demo = make_demo()
    channel("slack", Channel.Kind.SLACK, receiver.slack_url, routes=TOPIC)
    recommendations_refresh(now=demo.now, live_cleanup=False)
    assert cycle(demo.now) >= 1
    texts = slack_texts(receiver)
    assert any(t.startswith("[StarGate HIGH] pool_exhaustion: ") for t in texts), texts
    assert all(t.startswith(("[StarGate CRITICAL]", "[StarGate HIGH]")) for t in texts)
