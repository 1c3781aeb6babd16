"""The Sources page in Chromium: no serious axe violation, a screenshot for the README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from tests.test_browser_pages import AXE, AXE_RUN

from .test_sources_page import _states

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "sources.png"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "bypass_csp": True}


def test_the_sources_page_is_accessible(page: Page, live_server: LiveServer) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: npm ci --prefix tests/axe")
    _states()
    User.objects.create_user("viewer", password="a-long-test-password-1")
    page.goto(f"{live_server.url}/accounts/login/?next=/sources/")
    page.fill("#id_login", "viewer")
    page.fill("#id_password", "a-long-test-password-1")
    page.click("#local-login")
    page.wait_for_url(f"{live_server.url}/sources/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#source-labagator").inner_text().count("auth") >= 1
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(AXE_RUN) == []
    page.set_viewport_size({"width": 1280, "height": 700})
    page.screenshot(path=str(SCREENSHOT), full_page=True)
