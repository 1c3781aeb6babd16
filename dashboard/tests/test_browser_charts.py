"""The charts in Chromium (Daphne, PostgreSQL and the Redis layer): present on every page, under
the Content-Security-Policy, and the fleet overview's redrawn live when the rollup changes.
Screenshots go where the README's are (see test_browser_dashboard)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from dashboard.models import NodeUsageSample, StatusRollup
from dashboard.tests import live_driver
from dashboard.tests import test_browser_dashboard as dashboard_browser
from dashboard.tests.test_browser_dashboard import SCREENSHOTS, log_in, open_live
from labs.models import Cluster, LabInstance, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
redis_server = dashboard_browser.redis_server  # the fixture: Daphne on the seeded fleet


def seed_history() -> None:
    """A week of rollup rows, a day of node samples and scan runs, and the rollup of now."""
    from dashboard import rollup
    from scanning.models import ScanRun

    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    for cluster in Cluster.objects.order_by("name"):
        for h in range(1, 24 * 7):
            wave = (h + cluster.pk * 5) % 24
            StatusRollup.objects.create(
                hour=hour - timedelta(hours=h),
                cluster=cluster,
                team=None,
                failed=max(0, 6 - abs(wave - 12) // 2),
                warn=(h // 3 + cluster.pk) % 4,
                labs=14,
                updated_at=now,
            )
        for step in range(0, 24 * 12, 3):
            at = now - timedelta(minutes=5 * step)
            for n in range(3):
                NodeUsageSample.objects.create(
                    cluster=cluster,
                    node=f"worker-{n}",
                    at=at,
                    cpu_pct=25 + 20 * n + (step % 24),
                    memory_pct=30 + 10 * n + (step % 12),
                )
        for step in range(48):
            for tier in (1, 2, 3):
                ScanRun.objects.create(
                    cluster=cluster,
                    tier=tier,
                    status="succeeded",
                    started_at=now - timedelta(minutes=30 * step + tier),
                    duration_ms=400.0 * tier + 37 * (step % 7),
                )
    rollup.status_rollup_record()


def seed_lab_history(lab: LabInstance) -> None:
    """A day of a lab's changes, rubric by rubric, for the strip's screenshot."""
    from rubrics_app.models import StateChange

    now = timezone.now()
    steps = {
        "": [
            ("", "progressing", 23),
            ("progressing", "ready", 22),
            ("ready", "warn", 9),
            ("warn", "ready", 8),
        ],
        "deployment-ready": [
            ("", "progressing", 23),
            ("progressing", "ready", 22),
            ("ready", "failed", 14),
            ("failed", "ready", 12),
        ],
        "namespace-ready": [("", "ready", 23)],
        "run-created": [("", "ready", 23), ("ready", "warn", 9), ("warn", "ready", 8)],
    }
    for rubric, changes in steps.items():
        for from_status, to_status, hours in changes:
            StateChange.objects.create(
                lab_instance=lab,
                rubric_id=rubric,
                from_status=from_status,
                to_status=to_status,
                at=now - timedelta(hours=hours, minutes=rubric.count("-")),
            )


def seed_effectiveness() -> None:
    from django.conf import settings

    from remediation.catalog import catalog_load
    from remediation.management.commands.load_catalog import catalog_rows
    from remediation.models import ActionRequest, RemediationAction
    from remediation.services import action_request_create, catalog_apply

    catalog_apply(rows=catalog_rows(catalog_load(settings.REMEDIATIONS_DIR / "catalog.yaml")))
    restart = RemediationAction.objects.get(action_id="restart-pod")
    labs = list(LabInstance.objects.filter(status=Status.FAILED)[:6])
    for i, lab in enumerate(labs):
        for failure_class in ("crashloop", "image-pull"):
            request = action_request_create(
                lab_instance=lab,
                action=restart,
                failure_class=failure_class,
                parameters={"pod": f"web-{i}"},
            )
            ok = i % 3 != 0 if failure_class == "crashloop" else i % 2 == 0
            ActionRequest.objects.filter(pk=request.pk).update(
                status="succeeded" if ok else "failed",
                recovered=ok,
                recovered_seconds=40.0 + 15 * i if ok else None,
            )


def in_thread(work) -> None:  # type: ignore[no-untyped-def]
    def run() -> None:
        work()
        connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


@pytest.fixture
def charted_server(redis_server: str) -> str:
    seed_history()
    return redis_server


def test_it_shows_the_charts_and_redraws_the_fleet_ones_live(
    page: Page, charted_server: str
) -> None:
    from dashboard import rollup

    url = charted_server
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if _is_csp(m) else None)
    open_live(page, url, "/")
    page.set_viewport_size({"width": 1366, "height": 900})
    day = page.locator("#fleet-chart-day")
    expect(day).to_be_visible()
    expect(page.locator("#fleet-chart-week")).to_be_visible()
    expect(page.locator("#fleet-charts figure")).to_have_count(2 + Cluster.objects.count())
    failed = LabInstance.objects.filter(status=Status.FAILED).count()
    expect(page.locator("#fleet-chart-day-desc")).to_contain_text(f"Failed: latest {failed},")
    page.locator("#fleet-charts").screenshot(path=str(SCREENSHOTS / "chart-fleet.png"))

    target = LabInstance.objects.filter(status=Status.READY).order_by("namespace").first()
    assert target is not None

    def lab_fails_and_rollup_runs() -> None:
        live_driver.fail(target.namespace)
        rollup.status_rollup_record()

    in_thread(lab_fails_and_rollup_runs)
    in_thread(lambda: seed_lab_history(target))
    expect(page.locator("#fleet-chart-day-desc")).to_contain_text(
        f"Failed: latest {failed + 1},", timeout=3000
    )
    assert page.evaluate("() => window.notReloaded") is True

    page.goto(f"{url}/labs/{target.pk}/")
    strip = page.locator(f"#lab-{target.pk}-strip")
    expect(strip.locator(".chart-segment[data-status='failed']").first).to_be_visible()
    strip.screenshot(path=str(SCREENSHOTS / "chart-lab-strip.png"))

    cluster = Cluster.objects.order_by("name").first()
    assert cluster is not None
    page.goto(f"{url}/clusters/{cluster.name}/")
    for chart in ("node-cpu-chart", "node-memory-chart", "scan-duration-chart"):
        expect(page.locator(f"#{chart} .chart-line").first).to_be_visible()
    page.locator("#cluster-charts").screenshot(path=str(SCREENSHOTS / "chart-cluster.png"))

    in_thread(seed_effectiveness)
    page.goto(f"{url}/remediation/effectiveness/")
    expect(page.locator("#effectiveness-success-chart .chart-bar")).to_have_count(2)
    expect(page.locator("#effectiveness-time-chart")).to_contain_text("recovered")
    page.locator("#effectiveness-charts").screenshot(
        path=str(SCREENSHOTS / "chart-effectiveness.png")
    )
    assert violations == []


def _is_csp(message: ConsoleMessage) -> bool:
    return "Content Security Policy" in message.text or "Content-Security-Policy" in message.text


def test_the_lab_strip_follows_a_failure_live(page: Page, redis_server: str) -> None:
    target = LabInstance.objects.filter(status=Status.READY).order_by("namespace").first()
    assert target is not None
    log_in(page, redis_server, f"/labs/{target.pk}/")
    open_live(page, redis_server, f"/labs/{target.pk}/", logged_in=True)
    failed = page.locator(f"#lab-{target.pk}-strip .chart-segment[data-status='failed']")
    expect(failed).to_have_count(0)
    in_thread(lambda: live_driver.fail(target.namespace))
    expect(failed.first).to_be_visible(timeout=3000)
    assert page.evaluate("() => window.notReloaded") is True
