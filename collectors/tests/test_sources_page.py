from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from collectors.models import SourceState
from collectors.runner import mask

pytestmark = pytest.mark.django_db


def _states() -> None:
    now = timezone.now()
    SourceState.objects.create(
        name="aap",
        configured=True,
        interval_seconds=300,
        last_success_at=now,
        last_attempt_at=now,
        items=12,
    )
    SourceState.objects.create(
        name="labagator",
        configured=True,
        interval_seconds=120,
        last_success_at=now - timedelta(minutes=10),
        last_attempt_at=now,
        last_error_kind="auth",
        last_error=mask("GET labagator: HTTP 401 token=s3cr3t-value-123456"),
        last_error_at=now,
        consecutive_failures=2,
    )
    SourceState.objects.create(
        name="prometheus",
        configured=True,
        interval_seconds=1800,
        last_success_at=now - timedelta(hours=3),
    )


def test_the_page_needs_a_login(client: Client) -> None:
    answer = client.get("/sources/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_it_shows_freshness_and_the_masked_last_error(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    _states()
    client.force_login(User.objects.create_user("member"))  # any user: no lab data here
    with django_assert_max_num_queries(10):
        page = client.get("/sources/").content.decode()
    assert "Automation controller (AAP)" in page and "fresh" in page
    assert "aging" in page and "stale" in page and "not configured" in page
    assert "auth" in page and "2 in a row" in page
    assert "s3cr3t-value-123456" not in page


def test_the_table_refreshes_as_a_fragment(client: Client) -> None:
    _states()
    client.force_login(User.objects.create_user("member"))
    fragment = client.get("/sources/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith("<table") and "<html" not in fragment


def test_the_gauges_a_metrics_exporter_reads() -> None:
    from collectors.selectors import source_gauges

    _states()
    gauges = {g["source"]: g for g in source_gauges()}
    assert gauges["aap"]["freshness"] == 0 and gauges["aap"]["configured"] == 1
    assert gauges["labagator"]["freshness"] == 1
    assert gauges["labagator"]["consecutive_failures"] == 2
    assert gauges["labagator"]["last_error_kind"] == "auth"
    assert gauges["prometheus"]["freshness"] == 2
    assert gauges["zerotouch"]["freshness"] == 3 and gauges["zerotouch"]["age_seconds"] == -1
