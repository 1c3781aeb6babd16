"""Shared test fixtures: paths to the captured cluster objects in ../shared/fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES_DIR = Path(
    os.environ.get("STARGATE_FIXTURES_DIR", Path(__file__).parent.parent / "shared" / "fixtures")
)


@pytest.fixture(scope="session")
def captures() -> Path:
    """The real cluster captures. Skips without them, except under CI where they must exist."""
    if not FIXTURES_DIR.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the cluster captures at {FIXTURES_DIR}")
        pytest.skip(f"cluster captures not found at {FIXTURES_DIR} (set STARGATE_FIXTURES_DIR)")
    return FIXTURES_DIR


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def admin_password() -> str:
    return "correct-horse-battery-staple"


@pytest.fixture
def admin_user(django_user_model: object, admin_password: str) -> object:
    return django_user_model.objects.create_superuser("admin", "admin@example.com", admin_password)  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    # Playwright's sync API runs an event loop in the test thread, and Django refuses ORM calls
    # from a thread with a running loop. Tests that spawn processes pass an explicit environment.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
