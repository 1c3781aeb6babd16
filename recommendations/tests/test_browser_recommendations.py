"""The demo in Chromium: a low pool shows on the capacity page with its forecast and exhaustion
marker, becomes a recommendation with its evidence, and one click files a pool-scale request
that waits in the approval queue. axe-core checks the three new pages; screenshots go where the
README's are when STARGATE_UPDATE_SCREENSHOTS=1."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dashboard.tests.test_browser_dashboard import SCREENSHOTS
from recommendations.models import Recommendation
from recommendations.services import recommendations_refresh
from recommendations.tests.conftest import POOL, make_demo
from remediation.models import ActionRequest
from tests.test_browser_pages import AXE, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 1280, "height": 900}}


def log_in(page: Page, url: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/?next=/forecasting/capacity/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", password)
    page.click("#local-login")
    page.wait_for_url(f"{url}/forecasting/capacity/")


def test_a_low_pool_becomes_a_pool_scale_request_in_the_approval_queue(
    page: Page, live_server: Any, admin_user: Any, admin_password: str, catalog: None
) -> None:
    demo = make_demo()
    log_in(page, live_server.url, admin_password)

    figure = page.locator(f"#pool-{POOL}")
    expect(figure).to_contain_text("exhausted ~")  # the marker, in words as well as drawn
    expect(figure).to_contain_text("95 % band")
    expect(page.locator("#capacity-overall")).to_contain_text("first bottleneck pool lb1208-pool")
    page.locator("#capacity-pools").screenshot(path=str(SCREENSHOTS / "capacity-pools.png"))
    page.locator("#capacity-clusters").screenshot(path=str(SCREENSHOTS / "capacity-clusters.png"))

    recommendations_refresh(now=demo.now, live_cleanup=False)
    page.goto(live_server.url + "/recommendations/")
    page.select_option("#rec-scope", "pool")
    card = page.locator(".recommendation[data-rule=pool_exhaustion]")
    expect(card).to_contain_text(f"Pool {POOL}: 1 of 5 handles left")
    card.locator("summary").click()
    expect(card).to_contain_text("poolboy")
    page.screenshot(path=str(SCREENSHOTS / "recommendations.png"), full_page=False)

    card.locator("button", has_text="Request pool-scale").click()
    expect(page.locator("body")).to_contain_text("Pending approval")
    request = ActionRequest.objects.get(action__action_id="pool-scale")
    assert request.status == ActionRequest.Status.PENDING
    assert Recommendation.objects.get(key=f"pool_exhaustion:{POOL}").action_request == request

    page.goto(live_server.url + "/remediation/approvals/")
    row = page.locator(f"#approval-{request.pk}")
    expect(row).to_contain_text("pool-scale")
    expect(row).to_contain_text(f"pool={POOL}")
    expect(row).to_contain_text("Pending approval")
    page.screenshot(path=str(SCREENSHOTS / "recommendation-approval.png"))

    page.goto(live_server.url + "/recommendations/provisioning/LB1208/")
    expect(page.locator("#next-action")).to_contain_text("Next action")
    page.screenshot(path=str(SCREENSHOTS / "provisioning.png"), full_page=True)


def test_axe_finds_no_serious_violation_on_the_new_pages(
    page: Page, live_server: Any, admin_user: Any, admin_password: str
) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: npm ci --prefix tests/axe")
    demo = make_demo()
    recommendations_refresh(now=demo.now, live_cleanup=False)
    log_in(page, live_server.url, admin_password)
    found: list[str] = []
    for path in (
        "/forecasting/capacity/",
        "/recommendations/",
        "/recommendations/provisioning/LB1208/",
    ):
        found += axe_violations(page, live_server.url + path)
    assert found == [], "\n".join(found)
