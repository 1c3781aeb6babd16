"""Reads for the pages (team-scoped: a team sees its own channels and their deliveries,
platform operators every channel) and for metrics."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from labs.selectors import Audience, audience_of
from notifications.models import Channel, Notification, Route

State = Notification.State
STATES = ("pending", "delivered", "dead", "all")


def visible_channels(audience: Audience) -> QuerySet[Channel]:
    """Operators see every channel; a team member the channels of their teams."""
    if audience.everything:
        return Channel.objects.all()
    return Channel.objects.filter(team_id__in=sorted(audience.team_ids))


def channels_for(user: User) -> QuerySet[Channel]:
    routes = Route.objects.select_related("team", "cluster", "lab")
    return (
        visible_channels(audience_of(user))
        .select_related("team")
        .prefetch_related(Prefetch("routes", queryset=routes))
        .annotate(
            pending=Count("notifications", filter=Q(notifications__state=State.PENDING)),
            dead=Count("notifications", filter=Q(notifications__state=State.DEAD)),
        )
    )


def deliveries_for(user: User, state: str = "all") -> QuerySet[Notification]:
    """Messages to the channels `user` sees, newest first; `waits_for`: the earlier message of
    the same group and channel not delivered yet (a pending one waits for it)."""
    earlier = (
        Notification.objects.filter(
            channel_id=OuterRef("channel_id"), group=OuterRef("group"), pk__lt=OuterRef("pk")
        )
        .exclude(state=State.DELIVERED)
        .order_by("pk")
        .values("pk")[:1]
    )
    rows = (
        Notification.objects.filter(channel__in=visible_channels(audience_of(user)).values("pk"))
        .select_related("channel", "incident")
        .annotate(waits_for=Subquery(earlier))
    )
    if state in State.values:
        rows = rows.filter(state=state)
    return rows.order_by("-pk")


def state_counts() -> dict[str, int]:
    """Messages per state, for metrics (pending and dead-lettered)."""
    counts = dict.fromkeys(State.values, 0)
    for state, n in Notification.objects.values_list("state").annotate(n=Count("pk")):
        counts[state] = n
    return counts
