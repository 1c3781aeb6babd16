"""The scan runs page: newest first, filtered by cluster, tier and status, durations readable."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from labs.tests import factories
from labs.tests.factories import platform_operator
from scanning.models import ScanRun

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def operator_client(client: Any, django_user_model: Any) -> Any:
    client.force_login(platform_operator(django_user_model.objects.create_user("bob")))
    return client


@pytest.fixture
def runs() -> list[ScanRun]:
    now = timezone.now()
    east, west = factories.cluster("east"), factories.cluster("west")
    rows = [
        (east, 1, "succeeded", 42124.482),
        (east, 3, "failed", 850.0),
        (west, 3, "succeeded", 190_000.0),
        (west, 2, "running", None),
    ]
    return [
        ScanRun.objects.create(
            cluster=cluster,
            tier=tier,
            status=status,
            duration_ms=duration,
            started_at=now - timedelta(minutes=i),
        )
        for i, (cluster, tier, status, duration) in enumerate(rows)
    ]


def shown(response: Any) -> list[int]:
    return [run.pk for run in response.context["page"]]


def test_it_lists_every_run_newest_first_with_readable_durations(
    operator_client: Any, runs: list[ScanRun], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10):
        response = operator_client.get("/scans/runs/")
    html = response.content.decode()
    assert shown(response) == [run.pk for run in runs]
    assert "42.1 s" in html and "850 ms" in html and "3 min 10 s" in html
    assert "42124" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cluster=east", [0, 1]),
        ("tier=3", [1, 2]),
        ("status=succeeded", [0, 2]),
        ("cluster=west&tier=3&status=succeeded", [2]),
        ("tier=9&status=nonsense", [0, 1, 2, 3]),  # unknown values filter nothing
    ],
)
def test_it_filters_by_cluster_tier_and_status(
    operator_client: Any, runs: list[ScanRun], query: str, expected: list[int]
) -> None:
    response = operator_client.get(f"/scans/runs/?{query}")
    assert shown(response) == [runs[i].pk for i in expected]


def test_it_reads_through_the_team_scoped_selector(
    operator_client: Any, runs: list[ScanRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanning import selectors

    seen: list[Any] = []

    def scoped(user: Any) -> Any:
        seen.append(user)
        return ScanRun.objects.filter(pk=runs[2].pk)

    monkeypatch.setattr(selectors, "scan_runs_for", scoped)
    response = operator_client.get("/scans/runs/")
    assert shown(response) == [runs[2].pk]
    assert [user.username for user in seen] == ["bob"]
