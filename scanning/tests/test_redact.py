from __future__ import annotations

import pytest

from stargate.lib.redact import REDACTED, is_secret_name, redact, redact_text

# The redaction rules themselves, in both run modes (a broken env rule left the smoke subset
# green: the scan's projections drop env, so only these tests see it).
pytestmark = pytest.mark.smoke


def test_it_recognises_secret_looking_names() -> None:
    for name in ("password", "db_passwd", "apiToken", "sshKey", "client-secret", "credentials"):
        assert is_secret_name(name), name
    for name in ("key", "name", "phase", "restartCount", "operator", "monkey"):
        assert not is_secret_name(name), name


def test_it_redacts_secret_fields_at_any_depth() -> None:
    value = {"spec": {"vars": [{"admin_password": "s3cr3t", "user": "bob"}]}, "token": ""}
    assert redact(value) == {
        "spec": {"vars": [{"admin_password": REDACTED, "user": "bob"}]},
        "token": "",
    }


def test_it_redacts_env_values_args_and_commands_of_containers() -> None:
    pod = {
        "containers": [
            {
                "name": "app",
                "env": [
                    {"name": "X", "valueFrom": {"secretKeyRef": {"name": "s"}}},
                    {"name": "Y", "value": "v"},
                ],
                "args": ["--password", "p"],
                "command": ["run"],
            }
        ]
    }
    container = redact(pod)["containers"][0]
    assert container["env"] == [{"name": "X", "value": REDACTED}, {"name": "Y", "value": REDACTED}]
    assert container["args"] == [REDACTED]
    assert container["command"] == [REDACTED]


def test_it_masks_secrets_in_free_text() -> None:
    assert "abc123" not in redact_text("login failed password=abc123 for user")
    assert "eyJhbGciOiJSUzI1NiJ9" not in redact_text("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9")
    assert "pw" not in redact_text("pull https://user:pw@registry.example.com/x").split("@")[0][-5:]
    assert (
        redact_text("Back-off restarting failed container")
        == "Back-off restarting failed container"
    )
