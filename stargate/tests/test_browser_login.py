from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.smoke, pytest.mark.django_db(transaction=True)]


def test_it_logs_in_and_sees_the_home_page(
    page: Page, live_server, admin_user, admin_password
) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", admin_password)
    page.click("#local-login")
    expect(page.locator("h1")).to_have_text("Fleet overview")
    expect(page.locator("#current-user")).to_have_text("admin")


def test_it_refuses_a_wrong_password(page: Page, live_server, admin_user) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", "wrong-password")
    page.click("#local-login")
    expect(page.locator(".msg-error")).to_contain_text("not correct")
