"""The embedded-mode relay: every topic's recorded broadcasts reach the web process's sockets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.tests.test_consumers import run
from stargate import realtime, relay
from stargate.models import LiveEvent

pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True)]


def call(function, *args):
    async def scenario():
        return await function(*args)

    return run(scenario)


@pytest.fixture
def rendered(monkeypatch):
    """Two topics of their own whose renderers record what they are asked to render."""
    calls: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(realtime, "_topics", dict(realtime._topics))
    monkeypatch.setattr(realtime, "send_html", lambda group, html: None)
    for name in ("first", "second"):
        realtime.register(name, lambda ids, name=name: calls.append((name, ids)) or [])
    return calls


def test_it_relays_new_events_merged_into_one_broadcast_per_topic(rendered):
    old = LiveEvent.objects.create(topic="first", ids=[1])
    LiveEvent.objects.create(topic="second", ids=[9])
    LiveEvent.objects.create(topic="first", ids=[3, 2])
    last = LiveEvent.objects.create(topic="first", ids=[2])
    assert call(relay.relay_since, old.pk) == last.pk
    assert call(relay.relay_since, last.pk) == last.pk
    assert rendered == [("second", [9]), ("first", [2, 3])]


def test_it_moves_past_events_it_cannot_render(rendered, monkeypatch):
    def broken(ids):
        raise ValueError("cannot render")

    realtime._topics["first"] = realtime.Topic("first", broken)
    LiveEvent.objects.create(topic="first", ids=[1])
    unknown = LiveEvent.objects.create(topic="no-such-topic", ids=[1])
    event = LiveEvent.objects.create(topic="second", ids=[1])
    assert call(relay.relay_since, 0) == event.pk > unknown.pk
    assert rendered == [("second", [1])]


def test_it_prunes_old_events():
    LiveEvent.objects.create(topic="labs", ids=[1])
    LiveEvent.objects.filter().update(created_at=timezone.now() - relay.KEEP - timedelta(1))
    kept = LiveEvent.objects.create(topic="labs", ids=[2])
    call(relay.prune)
    assert list(LiveEvent.objects.all()) == [kept]


def test_every_topic_has_a_renderer():
    for name in (realtime.LABS, realtime.FLEET, realtime.APPROVALS):
        assert realtime.topic(name).name == name
