"""The gauges: read from the database at scrape time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident
from labs.models import Status
from labs.tests import factories
from metrics.tests.scrape import TOKEN, scrape, value
from rubrics_app.models import LLMBreaker
from scanning.models import ScanRun

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture(autouse=True)
def _token(settings) -> None:
    settings.METRICS_TOKEN = TOKEN


def _incident(key: str, severity: str, status: str = Incident.Status.OPEN) -> Incident:
    now = timezone.now()
    return Incident.objects.create(
        kind="node",
        key=key,
        title=key,
        severity=severity,
        status=status,
        opened_at=now,
        updated_at=now,
    )


def test_it_counts_labs_by_status_cluster_and_class(client) -> None:
    east, west = factories.cluster("east"), factories.cluster("west", reachable=False)
    for _ in range(3):
        factories.lab_instance(on=east, status=Status.FAILED, failure_class="crashloop")
    factories.lab_instance(on=east, status=Status.READY)
    factories.lab_instance(on=west, status=Status.STALE)
    factories.lab_instance(on=west, status=Status.READY, deleted_at=timezone.now())

    families = scrape(client)

    labs = {
        (s.labels["status"], s.labels["cluster"], s.labels["class"]): s.value
        for s in families["stargate_labs"]
    }
    assert labs == {
        ("failed", "east", "crashloop"): 3,
        ("ready", "east", ""): 1,
        ("stale", "west", ""): 1,
    }
    assert value(families, "stargate_cluster_reachable", cluster="east") == 1
    assert value(families, "stargate_cluster_reachable", cluster="west") == 0


def test_it_gives_the_age_of_the_last_successful_scan_and_the_interval(client) -> None:
    east = factories.cluster("east", tier1_interval=2)
    now = timezone.now()
    for tier, minutes_ago, status in [
        (1, 10, ScanRun.Status.SUCCEEDED),
        (1, 1, ScanRun.Status.FAILED),  # the last run failed: the age is the last success's
        (3, 3, ScanRun.Status.SUCCEEDED),
    ]:
        at = now - timedelta(minutes=minutes_ago)
        ScanRun.objects.create(
            cluster=east, tier=tier, status=status, started_at=at, finished_at=at
        )

    families = scrape(client)

    age = value(families, "stargate_scan_last_success_age_seconds", cluster="east", tier="1")
    assert age == pytest.approx(600, abs=30)
    age3 = value(families, "stargate_scan_last_success_age_seconds", cluster="east", tier="3")
    assert age3 == pytest.approx(180, abs=30)
    assert value(families, "stargate_scan_last_success_age_seconds", tier="2") is None
    assert value(families, "stargate_scan_interval_seconds", cluster="east", tier="1") == 120


def test_it_counts_open_incidents_by_severity(client) -> None:
    _incident("a", "critical")
    _incident("b", "critical", Incident.Status.ACKNOWLEDGED)
    _incident("c", "low")
    _incident("d", "high", Incident.Status.RESOLVED)

    families = scrape(client)

    by_severity = {s.labels["severity"]: s.value for s in families["stargate_incidents_open"]}
    assert by_severity == {"critical": 2, "high": 0, "medium": 0, "low": 1}


def test_it_shows_an_open_breaker(client) -> None:
    LLMBreaker.objects.create(name="llm", open_until=timezone.now() + timedelta(seconds=60))
    LLMBreaker.objects.create(name="old", open_until=timezone.now() - timedelta(seconds=1))

    families = scrape(client)

    assert value(families, "stargate_llm_breaker_open", breaker="llm") == 1
    assert value(families, "stargate_llm_breaker_open", breaker="old") == 0


def test_a_scrape_reads_a_bounded_number_of_queries(client, django_assert_max_num_queries) -> None:
    east = factories.cluster("east")
    for _ in range(20):
        factories.lab_instance(on=east, status=Status.FAILED, failure_class="crashloop")
    with django_assert_max_num_queries(8):
        scrape(client)
