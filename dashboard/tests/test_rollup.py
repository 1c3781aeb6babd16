"""The charts' rollup (dashboard.rollup) and the charts on the pages, in both run modes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboard import charts, rollup
from dashboard.models import NodeUsageSample, StatusRollup
from labs.models import Status
from labs.selectors import OPERATORS
from labs.tests import factories
from rubrics_app.models import StateChange
from scanning.models import NodeSnapshot, ScanRun
from stargate.models import LiveEvent

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

NOW = datetime(2025, 3, 4, 12, 20, tzinfo=UTC)
HOUR = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_cached_charts():
    charts.fleet_charts_forget()
    yield
    charts.fleet_charts_forget()


@pytest.fixture
def fleet():
    east = factories.cluster("east")
    team = factories.Team.objects.create(name="gitops-team")
    gitops, other = factories.lab("gitops", team=team), factories.lab("other")
    for _ in range(3):
        factories.lab_instance(on=east, of=gitops)
    failed = factories.lab_instance(
        on=east, of=gitops, status=Status.FAILED, status_changed_at=NOW - timedelta(hours=3)
    )
    warn = factories.lab_instance(on=east, of=other, status=Status.WARN, status_changed_at=NOW)
    return east, team, failed, warn


def rows(hour: datetime = HOUR) -> dict[tuple[int, int | None], tuple[int, int, int]]:
    return {
        (r.cluster_id, r.team_id): (r.failed, r.warn, r.labs)
        for r in StatusRollup.objects.filter(hour=hour)
    }


def test_it_counts_failed_and_warning_labs_per_cluster_and_team(fleet):
    east, team, _, _ = fleet
    rollup.status_rollup_record(now=NOW)
    assert rows() == {(east.pk, team.pk): (1, 0, 4), (east.pk, None): (0, 1, 1)}
    # The failed lab was failed for the whole previous hour; the warning one was not yet.
    assert rows(HOUR - timedelta(hours=1)) == {(east.pk, team.pk): (1, 0, 0)}


def test_it_counts_a_lab_that_failed_and_recovered_between_two_runs(fleet):
    east, team, *_ = fleet
    flapping = factories.lab_instance(on=east, of=factories.Lab.objects.get(catalog_item="gitops"))
    for from_status, to_status, minute in (("ready", "failed", 5), ("failed", "ready", 9)):
        StateChange.objects.create(
            lab_instance=flapping,
            from_status=from_status,
            to_status=to_status,
            at=HOUR + timedelta(minutes=minute),
        )
    rollup.status_rollup_record(now=NOW)
    assert rows()[(east.pk, team.pk)] == (2, 0, 5)


def test_it_keeps_the_hours_peak_when_labs_recover(fleet):
    east, team, failed, _ = fleet
    rollup.status_rollup_record(now=NOW)
    failed.status, failed.status_changed_at = Status.READY, NOW
    failed.save()
    StateChange.objects.create(lab_instance=failed, from_status="failed", to_status="ready", at=NOW)
    rollup.status_rollup_record(now=NOW + timedelta(minutes=5))
    assert rows()[(east.pk, team.pk)] == (1, 0, 4)
    rollup.status_rollup_record(now=NOW + timedelta(hours=1))
    assert rows(HOUR + timedelta(hours=1))[(east.pk, team.pk)] == (0, 0, 4)
    assert StatusRollup.objects.count() == 5  # 1 + 2 + 2: rerunning updates, never duplicates


def test_it_samples_fresh_node_snapshots_once_per_5_minutes(fleet):
    east = fleet[0]
    for name, collected in (("worker-1", NOW), ("gone", NOW - timedelta(hours=1))):
        NodeSnapshot.objects.create(
            cluster=east,
            name=name,
            cpu_allocatable_millicores=4000,
            cpu_used_millicores=1000,
            memory_allocatable_bytes=100,
            memory_used_bytes=90,
            collected_at=collected,
        )
    assert rollup.node_usage_record(now=NOW) == 1
    rollup.node_usage_record(now=NOW + timedelta(minutes=2))
    sample = NodeUsageSample.objects.get()
    assert (sample.node, sample.at, sample.cpu_pct, sample.memory_pct) == (
        "worker-1",
        NOW,
        25.0,
        90.0,
    )


def test_it_tells_open_overviews_after_the_commit(fleet, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rollup.status_rollup_record()
    # Embedded mode: a LiveEvent for the relay; production: delivered through Redis.
    from stargate import realtime

    if realtime.uses_relay():
        assert LiveEvent.objects.filter(topic=rollup.FLEET_CHARTS).exists()
    group = realtime.dashboard_group(OPERATORS.key)
    html = dict(realtime.topic(rollup.FLEET_CHARTS).render([]))[group]
    assert 'id="fleet-charts" hx-swap-oob="true"' in html
    assert "Failed: latest 1" in html


def test_the_fleet_overview_shows_the_charts_in_its_query_budget(
    operator_client, fleet, django_assert_max_num_queries
):
    rollup.status_rollup_record()
    with django_assert_max_num_queries(12):
        html = operator_client.get("/").content.decode()
    assert 'id="fleet-chart-day"' in html and 'id="fleet-chart-week"' in html
    assert "east: labs failed and warning" in html
    assert "Failed: latest 1, peak 1" in html and "Warn: latest 1" in html


def test_the_cluster_page_shows_node_use_and_scan_durations(
    operator_client, fleet, django_assert_max_num_queries
):
    east = fleet[0]
    now = datetime.now(UTC)
    NodeUsageSample.objects.create(
        cluster=east, node="worker-1", at=now - timedelta(hours=1), cpu_pct=97.0, memory_pct=40.0
    )
    ScanRun.objects.create(
        cluster=east,
        tier=2,
        status="succeeded",
        started_at=now - timedelta(hours=2),
        duration_ms=1500.0,
    )
    with django_assert_max_num_queries(10):
        html = operator_client.get("/clusters/east/").content.decode()
    assert 'id="node-cpu-chart"' in html and "worker-1: latest 97 %" in html
    assert "worker-1: latest 40 %" in html
    assert "Tier 2: latest 1.5 s" in html


def test_the_lab_page_shows_a_status_strip_per_rubric(
    operator_client, fleet, django_assert_max_num_queries
):
    failed = fleet[2]
    now = datetime.now(UTC)
    StateChange.objects.create(
        lab_instance=failed, from_status="ready", to_status="failed", at=now - timedelta(hours=2)
    )
    with django_assert_max_num_queries(10):
        html = operator_client.get(f"/labs/{failed.pk}/").content.decode()
    assert f'id="lab-{failed.pk}-strip"' in html
    assert "lab: Failed since" in html
    assert "lab: Ready from" in html and 'data-status="failed"' in html
