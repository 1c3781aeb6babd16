"""The approval queue live over websockets: Daphne on the test database and the Redis layer.

One approver watches the queue while another decides, and a worker-like thread queues a new
request: the watcher's page follows both without reloading.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connections
from playwright.sync_api import Page, expect

from dashboard.tests.test_browser_dashboard import WS_OPEN, start_redis_daphne, stop
from remediation.models import ActionRequest, RemediationAction
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def daphne(catalog, tmp_path: Path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    User.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    process, url = start_redis_daphne(tmp_path)
    yield url
    stop(process)


def _queue(namespace: str) -> ActionRequest:
    return action_request_create(
        lab_instance=make_lab_instance(namespace=namespace),
        action=RemediationAction.objects.get(action_id="rollout-restart-deployment"),
        failure_class="rollout-stuck",
        parameters={"deployment": "web"},
    )


def _in_worker(namespace: str) -> ActionRequest:
    """Playwright's sync API keeps an event loop in this thread; broadcasting needs another."""

    def work() -> ActionRequest:
        try:
            return _queue(namespace)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def _open(page: Page, url: str) -> None:
    page.add_init_script(WS_OPEN)
    page.goto(f"{url}/accounts/login/?next=/remediation/approvals/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("#local-login")
    page.wait_for_function("() => window.wsOpen === true", timeout=15_000)
    page.evaluate("() => { window.notReloaded = true }")


def test_it_shows_decisions_and_new_requests_live(page: Page, daphne: str) -> None:
    first = _queue("sandbox-aaa01-web")
    _open(page, daphne)
    expect(page.locator(f"#approval-{first.pk} .req-status")).to_have_text("Pending approval")

    other = page.context.new_page()
    other.goto(f"{daphne}/remediation/approvals/")
    row = other.locator(f"#approval-{first.pk}")
    row.locator("input[name=reason]").fill("approved from the other page")
    row.locator("button[value=approve]").click()
    expect(row.locator(".req-status")).to_have_text("Succeeded", timeout=30_000)

    watched = page.locator(f"#approval-{first.pk}")
    expect(watched.locator(".req-status")).to_have_text("Succeeded", timeout=15_000)
    expect(watched).to_contain_text("approved from the other page")
    expect(watched).to_contain_text("recorded_only")  # the mock target records only

    second = _in_worker("sandbox-bbb02-db")
    expect(page.locator(f"#approval-{second.pk} .req-status")).to_have_text(
        "Pending approval", timeout=15_000
    )
    expect(page.locator("#approval-count")).to_have_text("1")
    assert page.evaluate("() => window.notReloaded") is True
