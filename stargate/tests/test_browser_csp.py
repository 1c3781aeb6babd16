"""Every page under the Content-Security-Policy in Chromium: no violation is reported."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from labs.models import Status
from labs.tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""
PAGES = [
    "/",
    "/labs/",
    "/labs/{lab}/",
    "/clusters/{cluster}/",
    "/remediation/approvals/",
    "/remediation/effectiveness/",
    "/admin/",
    "/admin/stargate/apikey/",
    "/admin/stargate/apikey/add/",
    "/admin/auth/user/",
    "/admin/auth/user/{user}/change/",
    "/admin/password_change/",  # redirects to allauth's form
]


def _violations(page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return [f"{url}: {violation}" for violation in page.evaluate("window.cspViolations") or []]


def test_it_reports_no_violation_on_any_page(
    page: Page, live_server: LiveServer, admin_user: User, admin_password: str
) -> None:
    instance = factories.lab_instance(status=Status.FAILED)
    page.add_init_script(RECORD_VIOLATIONS)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if "Security Policy" in m.text else None)

    found = _violations(page, live_server.url + "/accounts/login/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", admin_password)
    page.click("#local-login")
    page.wait_for_url(live_server.url + "/")
    ids = {"lab": instance.pk, "cluster": instance.cluster.name, "user": admin_user.pk}
    for path in PAGES:
        found += _violations(page, live_server.url + path.format(**ids))

    assert found == []
    assert messages == []
