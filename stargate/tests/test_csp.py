"""Every answer carries a Content-Security-Policy without inline script, eval or framing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

BASE_DIR = Path(__file__).resolve().parents[2]


def _policy(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/admin/", "/healthz"])
def test_it_sends_a_strict_policy(client: Client, admin_user: object, path: str) -> None:
    client.force_login(admin_user)  # type: ignore[arg-type]
    policy = _policy(client.get(path))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_it_lets_the_sso_button_post_to_the_sso(client: Client, settings: Settings) -> None:
    settings.OIDC_SERVER_URL = "https://sso.example.com/realms/rhdp"
    policy = _policy(client.get("/accounts/login/"))
    assert policy["form-action"] == ["'self'", "https://sso.example.com"]


def test_it_keeps_inline_script_and_style_out_of_the_templates() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:")
    offenders = [
        f"{path.relative_to(BASE_DIR)}: {match.group(0)}"
        for path in BASE_DIR.glob("**/templates/**/*.html")
        if ".venv" not in path.parts
        for match in inline.finditer(path.read_text())
    ]
    assert offenders == []
