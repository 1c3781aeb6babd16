"""The fleet snapshot: counts and the fleet overview's parts, refreshed by writers."""

from __future__ import annotations

import pytest
from django.db import transaction

from dashboard import charts, fleet
from labs.models import LabInstance, Status
from labs.selectors import OPERATORS
from labs.tests import factories
from stargate import realtime

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_it_serves_the_fleet_overview_from_the_snapshot(operator_client, django_assert_num_queries):
    factories.lab_instance(status=Status.FAILED, failure_class="image-pull")
    fleet.fleet_refresh(OPERATORS)
    charts.fleet_charts_refresh(OPERATORS)  # the rollup's push draws them
    with django_assert_num_queries(3):  # the session, the user and their audience
        html = operator_client.get("/").content.decode()
    assert "image-pull" in html
    assert 'id="status-counters" aria-label="Labs by status" hx-swap-oob="true"' in html


def test_it_counts_the_fleet_once_and_keeps_the_counts(django_assert_num_queries):
    factories.lab_instance(status=Status.FAILED)
    first = fleet.fleet_counts(OPERATORS)
    with django_assert_num_queries(0):
        assert fleet.fleet_counts(OPERATORS) == first
    assert first.status[Status.FAILED] == 1


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_write_when_the_broadcast_cannot_be_delivered(settings, caplog):
    unreachable = {"hosts": ["redis://127.0.0.1:1/0"]}
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": unreachable}
    }
    with transaction.atomic():
        instance = factories.lab_instance(status=Status.FAILED)
        realtime.lab_instances_changed_on_commit([instance.pk])
    assert LabInstance.objects.filter(pk=instance.pk).exists()
    assert "in on_commit()" in caplog.text
