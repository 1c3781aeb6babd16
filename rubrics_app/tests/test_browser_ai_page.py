"""In the browser: the AI page with reviews, calls over two weeks and a breaker that is open
(why candidates wait); its screenshot is the README's."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rubrics_app.models import ClassificationProposal, LLMBreaker, LLMCall

from .classification_fixtures import scan, unexplained

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# As the dashboard's: the README's screenshot is refreshed only with STARGATE_UPDATE_SCREENSHOTS=1.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("STARGATE_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "stargate-screenshots"
)
Status = ClassificationProposal.Status


def _history(lab: Any) -> None:
    now = timezone.now()
    rows = [("crashloop", 0.92, Status.ACCEPTED)] * 6 + [
        ("keyring-locked", 0.81, Status.ACCEPTED)
    ] * 3
    rows += [("config-error", 0.55, Status.CORRECTED)] * 2 + [
        ("quota-exceeded", 0.35, Status.REJECTED)
    ]
    for n, (cls, confidence, status) in enumerate(rows):
        ClassificationProposal.objects.create(
            lab_instance=lab,
            rubric_id="deployment-ready",
            fingerprint=f"fp{n}",
            signature=f"sig{n}",
            proposed_class=cls,
            confidence=confidence,
            adjusted_confidence=confidence,
            status=status,
            reviewed_at=now - timedelta(days=n % 10),
            created_at=now - timedelta(days=n % 10),
        )
    for n in range(30):
        latency, outcome = (900, "success") if n < 15 else (400, "success")
        if n in (3, 7):
            outcome = "server_error"
        LLMCall.objects.create(
            prompt_id="classify",
            prompt_version="1",
            model="openai/granite-3.3-8b-instruct",
            latency_ms=latency,
            total_tokens=900,
            cost_usd=0.003,
            outcome=outcome,
            bundle_digest="d",
            called_at=now - timedelta(days=1 + n // 3)
            if n < 15
            else now - timedelta(days=8 + n % 6),
        )
    LLMBreaker.objects.create(
        name="llm", consecutive_failures=5, open_until=now + timedelta(minutes=1)
    )


def test_the_ai_page_shows_calibration_drift_and_why_candidates_wait(
    page: Page, live_server: Any, admin_user: Any, admin_password: str, lab_instance: Any, llm: Any
) -> None:
    _history(lab_instance)
    scan(lab_instance, unexplained())  # a candidate, waiting for the breaker
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.goto(live_server.url + "/rubrics/ai/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", admin_password)
    page.click("#local-login")
    expect(page.locator("#waiting-reasons")).to_contain_text("the breaker is open until")
    expect(page.locator("#candidate-table")).to_contain_text(lab_instance.namespace)
    expect(page.locator("#calibration-factor")).to_have_text("0.75")
    expect(page.locator("#drift-status")).to_have_text("degraded")
    expect(page.locator("#drift-alerts")).to_contain_text("latency up")
    expect(page.locator("#receipt-table")).to_contain_text("classify")
    expect(page.locator("#variant-table")).to_contain_text("openai/granite-3.3-8b-instruct")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ai-page.png"), full_page=True)
