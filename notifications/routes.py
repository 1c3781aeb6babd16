"""Which routes a message matches (pure: reads the rows' own fields, no query)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from notifications.models import SEVERITY_RANK, Channel, Route


@dataclass(frozen=True)
class Facts:
    """What routes match on: the topic, the severity (not approvals), and the teams, clusters and
    catalog items the message concerns."""

    topic: str  # "incidents", "events" or "approvals"
    severity: str = ""
    team_ids: frozenset[int] = frozenset()
    cluster_ids: frozenset[int] = frozenset()
    lab_ids: frozenset[int] = frozenset()


def route_matches(route: Route, facts: Facts) -> bool:
    if route.topic not in (Route.Topic.ALL, facts.topic):
        return False
    if facts.topic != "approvals":
        wanted = SEVERITY_RANK.get(route.min_severity, 0)
        if SEVERITY_RANK.get(facts.severity, 0) < wanted:
            return False
    checks = (
        (route.team_id, facts.team_ids),
        (route.cluster_id, facts.cluster_ids),
        (route.lab_id, facts.lab_ids),
    )
    return all(wanted is None or wanted in found for wanted, found in checks)


def channels_routed(routes: Iterable[Route], facts: Facts) -> list[Channel]:
    """The channels of the matching routes, each once, in route order."""
    found: dict[int, Channel] = {}
    for route in routes:
        if route.channel_id not in found and route_matches(route, facts):
            found[route.channel_id] = route.channel
    return list(found.values())
