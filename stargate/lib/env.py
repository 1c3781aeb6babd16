"""Typed readers for STARGATE_* environment variables.

Every production difference is an environment variable; a bad value fails loudly at start-up with
`ImproperlyConfigured` naming the variable, never later at request time. While the settings module
collects (`problems_collect` ... `problems_report`), a reader records the problem and returns its
default instead, so that one message lists every missing or malformed variable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

from stargate.lib.redact import redact_url

_collected: list[str] | None = None


def problems_collect() -> None:
    """From now on, `problem` records instead of raising (the settings module's start)."""
    global _collected
    _collected = []


def problem(message: str) -> None:
    """A missing or malformed setting: raised at once, or recorded while collecting."""
    if _collected is None:
        raise ImproperlyConfigured(message)
    _collected.append(message)


def problems_message(problems: list[str]) -> str:
    lines = [f"  - {message}" for message in problems]
    count = "1 setting is" if len(problems) == 1 else f"{len(problems)} settings are"
    return "\n".join(
        [f"ImproperlyConfigured: StarGate cannot start: {count} missing or malformed.", *lines]
    )


def problems_report() -> None:
    """The settings module's end: with problems recorded, one message and exit status 2 (no
    traceback, for `manage.py`, `daphne` and `qcluster` alike)."""
    global _collected
    found, _collected = _collected or [], None
    if found:
        sys.stderr.write(problems_message(found) + "\n")
        raise SystemExit(2)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    problem(f"{name}={raw!r} is not a boolean (use true or false)")
    return default


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        problem(f"{name}={raw!r} is not an integer")
        return default
    if minimum is not None and value < minimum:
        problem(f"{name}={value} must be at least {minimum}")
        return default
    return value


def envfloat(name: str, default: float, *, minimum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if minimum is not None and not value >= minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}")
    return value


def envlist(name: str, default: str) -> list[str]:
    return [part.strip() for part in envstr(name, default).split(",") if part.strip()]


def envsecret(name: str, default: str) -> str:
    """Read NAME, or the file named by NAME_FILE (secrets mounted by OpenShift)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        try:
            return path.read_text().strip()
        except OSError as exc:
            problem(f"{name}_FILE={file_name!r} cannot be read: {exc.strerror}")
            return default
    return os.environ.get(name, default)


# What a malformed URL reads as while the settings collect their problems (never connected).
_UNUSABLE_DATABASE: dict[str, Any] = {"ENGINE": "django.db.backends.dummy"}

_DB_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "sqlite": "django.db.backends.sqlite3",
}


def parse_database_url(url: str, *, setting: str = "STARGATE_DATABASE_URL") -> dict[str, Any]:
    """postgres://user:password@host:port/name?sslmode=require → a DATABASES entry."""
    parsed = urlparse(url)
    engine = _DB_ENGINES.get(parsed.scheme)
    if engine is None:
        problem(
            f"{setting}: unsupported scheme {parsed.scheme!r} "
            "(use postgres://user:password@host:5432/name or sqlite:///path)"
        )
        return _UNUSABLE_DATABASE
    if engine.endswith("sqlite3"):
        return {"ENGINE": engine, "NAME": unquote(parsed.path.lstrip("/")) or ":memory:"}
    name = unquote(parsed.path.lstrip("/"))
    if not name or not parsed.hostname:
        problem(f"{setting}: a host and a database name are required")
        return _UNUSABLE_DATABASE
    try:
        port = parsed.port
    except ValueError:
        problem(f"{setting}: the port is not a number")
        return _UNUSABLE_DATABASE
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    return {
        "ENGINE": engine,
        "NAME": name,
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname,
        "PORT": str(port or 5432),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def check_redis_url(url: str, *, setting: str = "STARGATE_REDIS_URL") -> str:
    parsed = urlparse(url)
    if parsed.scheme not in {"redis", "rediss", "unix"} or not (parsed.hostname or parsed.path):
        problem(f"{setting}={redact_url(url)!r} is not a Redis URL (use redis://host:6379/0)")
    return url


_SECRET_KEY_MIN_LENGTH = 50
_SECRET_KEY_MIN_UNIQUE = 5


def secret_key_weakness(key: str) -> str:
    """Why `key` is too weak for production, or "" when it is fine (Django's security.W009)."""
    if key.startswith("django-insecure"):
        return "it is a development key (django-insecure…)"
    if len(key) < _SECRET_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters, fewer than {_SECRET_KEY_MIN_LENGTH}"
    if len(set(key)) < _SECRET_KEY_MIN_UNIQUE:
        return f"it has fewer than {_SECRET_KEY_MIN_UNIQUE} distinct characters"
    return ""
