from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from dashboard.tests.test_consumers import run
from labs.models import LiveEvent
from stargate import relay

pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True)]


def call(function, *args):
    async def scenario():
        return await function(*args)

    return run(scenario)


def test_it_relays_new_events_once_merged_into_one_broadcast():
    old = LiveEvent.objects.create(lab_instance_ids=[1])
    LiveEvent.objects.create(lab_instance_ids=[3, 2])
    last = LiveEvent.objects.create(lab_instance_ids=[2])
    with mock.patch("stargate.realtime.broadcast_lab_instances") as broadcast:
        assert call(relay.relay_since, old.pk) == last.pk
        assert call(relay.relay_since, last.pk) == last.pk
    broadcast.assert_called_once_with([2, 3])


def test_it_moves_past_events_it_cannot_render():
    event = LiveEvent.objects.create(lab_instance_ids=[1])
    with mock.patch("stargate.realtime.broadcast_lab_instances", side_effect=ValueError):
        assert call(relay.relay_since, 0) == event.pk


def test_it_prunes_old_events():
    LiveEvent.objects.create(lab_instance_ids=[1])
    LiveEvent.objects.filter().update(created_at=timezone.now() - relay.KEEP - timedelta(1))
    kept = LiveEvent.objects.create(lab_instance_ids=[2])
    call(relay.prune)
    assert list(LiveEvent.objects.all()) == [kept]
