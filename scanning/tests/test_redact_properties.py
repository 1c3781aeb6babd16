"""Property tests of the free-text rules: generated secrets in every shape, inside messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanning.tests.secret_strategies import Embedded, messages_with_secret, sentence
from stargate.lib.redact import REDACTED, redact, redact_text

pytestmark = pytest.mark.smoke


@given(messages_with_secret())
def test_it_masks_every_secret_shape_in_a_message(message: Embedded) -> None:
    text, secret = message
    redacted = redact_text(text)
    assert secret not in redacted
    assert REDACTED in redacted


@given(messages_with_secret(), st.sampled_from(("message", "reason", "runStatusMessage")))
def test_it_masks_them_in_any_field_of_an_object(message: Embedded, field: str) -> None:
    text, secret = message
    obj = {"status": {"conditions": [{"type": "Ready", field: text}]}}
    assert secret not in json.dumps(redact(obj))


@given(sentence)
def test_it_leaves_harmless_text_alone(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("DB_PASSWORD=abc123xyz", "abc123xyz"),
        ("GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghij"),
        ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
        ("Error: MYSQL_ROOT_PASSWORD=hunter2hunter2 is not allowed", "hunter2"),
        ("container exited: client_secret: s3cr3t-value", "s3cr3t-value"),
        ("using AKIAIOSFODNN7EXAMPLE to upload", "AKIAIOSFODNN7EXAMPLE"),
        ("hook xoxb-1234567890-1234567890-abcdefghijABCDEFGHIJabcd", "1234567890"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlc2ln", "eyJzdWIiOiIxMjM0In0"),
        ("unauthorized: Bearer abcdefgh12345678", "abcdefgh12345678"),
    ],
)
def test_it_masks_env_style_secrets_the_issue_reports(text: str, secret: str) -> None:
    assert secret not in redact_text(text)


@pytest.mark.parametrize(
    "text",
    [
        'Back-off pulling image "quay.io/keycloak/keycloak:24.0.1"',
        "quay.io/rhpds/token-exchange:v1.2.3",
        "0/3 nodes are available: 3 Insufficient memory.",
        "x509: certificate signed by unknown authority",
        "Readiness probe failed: HTTP probe failed with statuscode: 503",
        "https://showroom.apps.cluster.example.com/modules/index.html",
        'MountVolume.SetUp failed for volume "kube-api-access-x7k2p" : object not registered',
    ],
)
def test_it_keeps_messages_and_image_references_intact(text: str) -> None:
    assert redact_text(text) == text


def test_it_keeps_every_captured_message_without_secrets(captures: Path) -> None:
    """The real captures hold no secret in their messages: redaction changes none of them."""
    messages = {
        str(value)
        for path in captures.rglob("*.json")
        for value in _fields(json.loads(path.read_text()), ("message", "reason", "image"))
    }
    changed = {text: redact_text(text) for text in messages if redact_text(text) != text}
    assert changed == {}


def _fields(value: object, names: tuple[str, ...]) -> list[object]:
    if isinstance(value, dict):
        found = [item for key, item in value.items() if key in names and isinstance(item, str)]
        return found + [hit for item in value.values() for hit in _fields(item, names)]
    if isinstance(value, list):
        return [hit for item in value for hit in _fields(item, names)]
    return []
