"""The API docs page in Chromium, under the Content-Security-Policy: Swagger UI served from
StarGate's own static files renders every operation, with no violation and no outside request."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from stargate.tests.test_browser_csp import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_renders_the_docs_page_for_a_signed_in_user(
    page: Page, live_server: LiveServer, admin_user: User, admin_password: str, tmp_path: Path
) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(live_server.url + "/api/v1/docs")  # to the login page, then back
    page.fill("#id_login", "admin")
    page.fill("#id_password", admin_password)
    page.click("#local-login")
    page.wait_for_url(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=tmp_path / "api-docs.png", full_page=True)

    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/v1/labs", "/api/v1/remediation/requests/{pk}/approve"} <= set(paths)
    assert page.evaluate("window.cspViolations") == []
    assert hosts == {urlsplit(live_server.url).netloc}
    assert page.get_by_role("button", name="Authorize").is_visible()
