"""The admin is named StarGate's, and shows durations and ages as people read them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from labs.tests import factories
from scanning.models import ScanRun

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_the_admin_is_named_and_formats_durations_and_ages(admin_client: Any) -> None:
    cluster = factories.cluster("east")
    factories.cluster("west")
    ScanRun.objects.create(
        cluster=cluster,
        tier=3,
        status="succeeded",
        started_at=timezone.now(),
        duration_ms=42124.48200007657,
    )
    instance = factories.lab_instance(on=cluster)
    instance.last_evaluated_at = timezone.now() - timedelta(minutes=5)
    instance.save()

    index = admin_client.get("/admin/").content.decode()
    runs = admin_client.get("/admin/scanning/scanrun/").content.decode()
    labs = admin_client.get("/admin/labs/labinstance/").content.decode()

    assert "StarGate administration" in index and "Django administration" not in index
    assert "42.1 s" in runs and "42124" not in runs
    assert "5\xa0minutes ago" in labs
    assert "?cluster__id__exact=" in runs  # the long list stays filterable
