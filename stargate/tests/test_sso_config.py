"""SSO settings as a deployment sets them: environment, a secret file, the deploy checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "STARGATE_MODE": "production",
    "STARGATE_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "STARGATE_ALLOWED_HOSTS": "stargate.apps.example.com",
    "STARGATE_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/stargate",
    "STARGATE_REDIS_URL": "redis://127.0.0.1:6379/0",
    "STARGATE_OIDC_SERVER_URL": "https://sso.example.com/realms/rhdp",
    "STARGATE_OIDC_CLIENT_ID": "stargate",
    "STARGATE_TRUSTED_PROXY_IPS": "127.0.0.1,10.128.0.0/14",
    "DJANGO_SETTINGS_MODULE": "stargate.settings",
}


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STARGATE_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_builds_the_sso_app_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "oidc-client-secret"
    secret.write_text("s3cret\n")
    env = PRODUCTION | {"STARGATE_OIDC_CLIENT_SECRET_FILE": str(secret)}
    code = "import json, stargate.settings as s; print(json.dumps(s.SOCIALACCOUNT_PROVIDERS))"

    result = _run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    [app] = json.loads(result.stdout)["openid_connect"]["APPS"]
    assert (app["provider_id"], app["client_id"], app["secret"]) == ("sso", "stargate", "s3cret")
    assert app["settings"]["server_url"] == "https://sso.example.com/realms/rhdp"
    assert app["settings"]["oauth_pkce_enabled"] is True


def test_it_requires_a_client_id_with_the_server_url() -> None:
    env = {"STARGATE_OIDC_SERVER_URL": "https://sso.example.com/realms/rhdp"}
    result = _run(["-c", "import stargate.settings"], env)
    assert result.returncode != 0
    assert "STARGATE_OIDC_CLIENT_ID is required with STARGATE_OIDC_SERVER_URL" in result.stderr


def test_it_passes_the_deploy_checks_with_sso_configured(tmp_path: Path) -> None:
    secret = tmp_path / "oidc-client-secret"
    secret.write_text("s3cret")
    env = PRODUCTION | {"STARGATE_OIDC_CLIENT_SECRET_FILE": str(secret)}
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
