"""Policy notifications (platform-contracts 23.5): each cycle, the open critical and high
recommendations go to the channels routed for them, through the outbox. A key
(`<type>:<lab_code | cluster | pool_name>`) is told once, again only after its recommendation
disappeared and came back or after `STARGATE_POLICY_NOTIFY_REPEAT_HOURS` (24); at most
`STARGATE_POLICY_NOTIFY_MAX_PER_CYCLE` (5) recommendations are told per cycle, the others wait
for the next."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from labs.models import Cluster
from notifications import conf
from notifications.models import PolicyNotice, Route
from notifications.outbox import write
from notifications.payloads import Message
from notifications.routes import Facts, channels_routed
from recommendations.models import Recommendation
from recommendations.selectors import urgent_open_recommendations


@dataclass(frozen=True)
class PolicyCycle:
    told: int
    messages: int
    waiting: int

    def __str__(self) -> str:
        return f"{self.told} recommendations told ({self.messages} messages), {self.waiting} wait"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def policy_message(row: Recommendation) -> Message:
    return Message(
        change="recommendation",
        title=row.title,
        severity=row.urgency,
        text=row.recommendation,
        url=conf.public_url()
        + reverse("recommendations:recommendation_list")
        + f"?rule={row.rule}",
        fingerprint=f"stargate-policy-{_digest(row.key)}",
        at=timezone.now(),
        source=row.target if row.scope == "cluster" else "stargate",
        component=row.lab.catalog_item if row.lab else "",
        kind="policy",
        fields=(
            ("Type", row.rule),
            ("Target", row.target),
            ("Confidence", f"{row.confidence:.2f} ({row.confidence_reason})"),
            ("Next action", row.next_action or "?"),
        ),
        details={
            "type": row.rule,
            "target": row.target,
            "key": row.key,
            "urgency": row.urgency,
            "confidence": row.confidence,
        },
    )


def _due(row: Recommendation, notice: PolicyNotice | None, now: datetime) -> bool:
    if notice is None or notice.recommendation_id != row.pk:
        return True  # never told, or it disappeared and came back (a new open row)
    return notice.sent_at <= now - timedelta(hours=settings.POLICY_NOTIFY_REPEAT_HOURS)


def _facts(row: Recommendation, clusters: dict[str, int]) -> Facts:
    cluster = clusters.get(row.target) if row.scope == "cluster" else None
    return Facts(
        "recommendations",
        row.urgency,
        team_ids=frozenset([row.team_id] if row.team_id else []),
        cluster_ids=frozenset([cluster] if cluster else []),
        lab_ids=frozenset([row.lab_id] if row.lab_id else []),
    )


def policy_notifications_send(*, now: datetime | None = None) -> PolicyCycle:
    """One cycle: write the due policy messages into the outbox, record what was told."""
    now = now or timezone.now()
    routes = list(
        Route.objects.filter(
            enabled=True,
            channel__enabled=True,
            topic__in=[Route.Topic.ALL, Route.Topic.RECOMMENDATIONS],
        ).select_related("channel")
    )
    if not routes:
        return PolicyCycle(0, 0, 0)
    rows = urgent_open_recommendations()
    notices = {n.key: n for n in PolicyNotice.objects.filter(key__in=[r.key for r in rows])}
    due = [r for r in rows if _due(r, notices.get(r.key), now)]
    clusters = dict(
        Cluster.objects.filter(
            name__in=[r.target for r in due if r.scope == "cluster"]
        ).values_list("name", "pk")
    )
    told = messages = 0
    limit = settings.POLICY_NOTIFY_MAX_PER_CYCLE
    for row in due:
        if told >= limit:
            break
        channels = channels_routed(routes, _facts(row, clusters))
        if not channels:
            continue
        with transaction.atomic():
            messages += len(
                write(channels, policy_message(row), group=f"policy-{_digest(row.key)}")
            )
            updated = PolicyNotice.objects.filter(key=row.key).update(
                recommendation=row, urgency=row.urgency, sent_at=now, times=F("times") + 1
            )
            if not updated:
                PolicyNotice.objects.create(
                    key=row.key, recommendation=row, urgency=row.urgency, sent_at=now
                )
        told += 1
    return PolicyCycle(told, messages, max(len(due) - told, 0))
