"""A medium-risk action waits in the queue, is approved in the browser, executes on the
simulator and shows its result."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from remediation.models import ActionRequest, RemediationAction
from remediation.services import action_request_create
from remediation.tests.sim import sim_lab, verify_until_done


def _in_thread(work: Callable[[], Any]) -> Any:
    results: list[Any] = []

    def run() -> None:
        try:
            results.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert results, "the verification checks raised or timed out"
    return results[0]


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_approves_a_queued_medium_risk_action_in_the_browser(
    page: Page, live_server, admin_user, admin_password, catalog, simulator_server, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.EXECUTION_TARGET = "test"
    settings.REMEDIATION_VERIFY_WINDOW_SECONDS = 5
    settings.REMEDIATION_VERIFY_INTERVAL_SECONDS = 1
    lab = sim_lab(simulator_server, "crashloop", "low_risk_auto")
    instance = lab.instances[0]
    request = action_request_create(
        lab_instance=instance,
        action=RemediationAction.objects.get(action_id="rollout-restart-deployment"),
        failure_class="crashloop",
        parameters={"deployment": "workshop-app"},
        evidence={"failing": [{"ref": "Deployment/workshop-app", "status": "failed"}]},
    )
    assert request.status == ActionRequest.Status.PENDING

    page.goto(live_server.url + "/remediation/approvals/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", admin_password)
    page.click("#local-login")
    row = page.locator(f"#approval-{request.pk}")
    expect(row).to_contain_text("rollout-restart-deployment")
    expect(row).to_contain_text("deployment=workshop-app")
    expect(row).to_contain_text("medium")
    expect(row).to_contain_text("Pending approval")
    expect(page.locator("#approval-count")).to_have_text("1")

    row.locator("input[name=reason]").fill("crashloop on both replicas")
    row.locator("button[value=approve]").click()
    expect(row.locator(".req-status")).to_have_text("Succeeded", timeout=30_000)
    expect(row).to_contain_text("restarted_deployment")
    expect(row.locator("form")).to_have_count(0)

    # The follow-up checks the q2 scheduler would run, then the row shows the outcome. In a
    # thread of their own: Playwright's event loop owns this one, and checks broadcast.
    assert _in_thread(lambda: verify_until_done(request)).recovered is True
    page.reload()
    expect(page.locator(f"#approval-{request.pk}")).to_contain_text("recovered: yes")

    request.refresh_from_db()
    assert request.decided_by == admin_user
    assert request.reason == "crashloop on both replicas"
    # Verification re-evaluated the lab through the rubric service in the server's thread.
    instance.refresh_from_db()
    assert instance.status == "ready"
