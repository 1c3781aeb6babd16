"""A reason typed into the approval queue survives the decision buttons arriving late.

The buttons are drawn after the page (the gates run per row, on current state). When that answer
came after the approver had typed, it replaced the form and the reason with it: the required,
now empty, input stopped the click, and the request stayed pending with nothing said."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from remediation.models import ActionRequest, RemediationAction
from remediation.services import action_request_create
from remediation.tests.conftest import make_lab_instance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_typed_reason_survives_the_late_decision_buttons(
    page: Page, live_server: Any, admin_user: Any, admin_password: str, catalog: Any
) -> None:
    instance = make_lab_instance()
    request = action_request_create(
        lab_instance=instance,
        action=RemediationAction.objects.get(action_id="rollout-restart-deployment"),
        failure_class="crashloop",
        parameters={"deployment": "workshop-app"},
    )
    assert request.status == ActionRequest.Status.PENDING

    held: list[Route] = []
    page.route("**/approvals/*/offer/", lambda route: held.append(route))
    page.goto(live_server.url + "/remediation/approvals/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", admin_password)
    page.click("#local-login")
    row = page.locator(f"#approval-{request.pk}")
    row.locator("input[name=reason]").fill("crashloop on both replicas")
    for _ in range(100):  # the page asks for them on load; Playwright holds the answer
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the decision buttons were not fetched after the page"
    for route in held:
        route.continue_()

    expect(row.locator("button[value=approve]")).to_have_text("Approve and run")
    expect(row.locator("input[name=reason]")).to_have_value("crashloop on both replicas")
