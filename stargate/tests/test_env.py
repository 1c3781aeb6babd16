from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from stargate.lib.env import envbool, envint, envsecret, parse_database_url

BASE_DIR = Path(__file__).resolve().parents[2]


def test_it_parses_a_postgres_url() -> None:
    db = parse_database_url("postgres://sg:p%40ss@db.example:5433/stargate?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "sg",
        "p@ss",
        "db.example",
        "5433",
        "stargate",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://x@y/z", "unsupported scheme 'mysql'"),
        ("postgres://host-only", "a host and a database name are required"),
        ("postgres://u@h:notaport/db", "the port is not a number"),
    ],
)
def test_it_rejects_a_bad_database_url(url: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_database_url(url)


def test_it_rejects_a_bad_boolean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARGATE_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="STARGATE_X='maybe' is not a boolean"):
        envbool("STARGATE_X", default=False)


def test_it_rejects_an_integer_below_its_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARGATE_N", "0")
    with pytest.raises(ImproperlyConfigured, match="must be at least 1"):
        envint("STARGATE_N", 2, minimum=1)


def test_it_reads_a_secret_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("STARGATE_K_FILE", str(secret))
    assert envsecret("STARGATE_K", "") == "s3cret"


def test_it_names_an_unreadable_secret_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STARGATE_K_FILE", "/nonexistent/key")
    with pytest.raises(
        ImproperlyConfigured, match="STARGATE_K_FILE='/nonexistent/key' cannot be read"
    ):
        envsecret("STARGATE_K", "")


STRONG_KEY = "a-long-random-production-secret-key-0123456789-abcdefghijklmnop"


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STARGATE_", "DJANGO_"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="stargate.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('ok')"],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"STARGATE_MODE": "production"},
            "STARGATE_SECRET_KEY (or STARGATE_SECRET_KEY_FILE) is required",
        ),
        (
            {
                "STARGATE_MODE": "production",
                "STARGATE_SECRET_KEY": STRONG_KEY,
                "STARGATE_ALLOWED_HOSTS": "sg",
            },
            "STARGATE_DATABASE_URL is required in production mode",
        ),
        (
            {
                "STARGATE_MODE": "production",
                "STARGATE_SECRET_KEY": STRONG_KEY,
                "STARGATE_DEBUG": "true",
            },
            "STARGATE_DEBUG=true is refused in production mode",
        ),
        (
            {"STARGATE_MODE": "production", "STARGATE_SECRET_KEY": "x" * 50},
            "STARGATE_SECRET_KEY is too weak for production mode: it has fewer than 5 distinct",
        ),
        (
            {"STARGATE_MODE": "production", "STARGATE_SECRET_KEY": "changeme"},
            "STARGATE_SECRET_KEY is too weak for production mode: it has 8 characters",
        ),
        (
            {"STARGATE_MODE": "production", "STARGATE_SECRET_KEY": "django-insecure-" + "k" * 60},
            "STARGATE_SECRET_KEY is too weak for production mode: it is a development key",
        ),
        ({"STARGATE_MODE": "staging"}, "STARGATE_MODE='staging': use embedded or production"),
        ({"STARGATE_DATABASE_URL": "oracle://x/y"}, "unsupported scheme 'oracle'"),
        ({"STARGATE_REDIS_URL": "http://redis"}, "is not a Redis URL"),
        ({"STARGATE_EXECUTION_TARGET": "prod"}, "use mock, test or production"),
    ],
)
@pytest.mark.smoke
def test_it_refuses_to_start_with_bad_settings(env: dict[str, str], message: str) -> None:
    result = _load_settings(**env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.smoke
def test_it_starts_on_the_embedded_default() -> None:
    result = _load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_it_passes_the_deploy_checks_with_production_settings() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STARGATE_", "DJANGO_"))} | {
        "STARGATE_MODE": "production",
        "STARGATE_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        "STARGATE_ALLOWED_HOSTS": "stargate.apps.example.com",
        "STARGATE_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/stargate",
        "STARGATE_REDIS_URL": "redis://127.0.0.1:6379/0",
        "DJANGO_SETTINGS_MODULE": "stargate.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.smoke
@pytest.mark.parametrize(
    "command",
    [
        ["manage.py", "serve"],
        ["manage.py", "qcluster"],
        ["manage.py", "migrate"],
        ["-m", "daphne", "stargate.asgi:application"],
    ],
)
def test_it_lists_every_missing_or_malformed_variable_at_once(command: list[str]) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STARGATE_", "DJANGO_"))}
    env = clean | {"STARGATE_MODE": "production", "STARGATE_WORKERS": "many"}
    result = subprocess.run(
        [sys.executable, *command],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "KeyError" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0] == (
        "ImproperlyConfigured: StarGate cannot start: 5 settings are missing or malformed."
    )
    assert lines[1:] == [
        "  - STARGATE_SECRET_KEY (or STARGATE_SECRET_KEY_FILE) is required in production mode",
        "  - STARGATE_ALLOWED_HOSTS is required in production mode",
        "  - STARGATE_DATABASE_URL is required in production mode",
        "  - STARGATE_REDIS_URL is required in production mode",
        "  - STARGATE_WORKERS='many' is not an integer",
    ]
