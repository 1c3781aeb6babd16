"""Notifications pending and dead-lettered, when an app labelled `notifications` is installed
(a stand-in here: the real app is built elsewhere, and replaces it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import override_settings

from metrics.tests.scrape import TOKEN, scrape, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox() -> Iterator[type]:
    if apps.is_installed("notifications"):
        pytest.skip("the real notifications app is installed: its own tests cover its gauges")
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "metrics.tests.outbox_app"]):
        model = apps.get_model("notifications", "Delivery")
        with connection.schema_editor() as editor:
            editor.create_model(model)
        yield model


def test_it_counts_pending_and_dead_lettered_notifications(client, outbox, settings) -> None:
    settings.METRICS_TOKEN = TOKEN
    for status in ["pending", "pending", "retrying", "delivered", "dead_letter", "dead"]:
        outbox.objects.create(status=status)

    families = scrape(client)

    assert value(families, "stargate_notifications_pending") == 3
    assert value(families, "stargate_notifications_dead_lettered") == 2
