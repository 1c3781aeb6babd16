"""Test settings: the real settings, plus test-only concerns. PostgreSQL and Redis come from the
environment (STARGATE_DATABASE_URL, STARGATE_REDIS_URL) as in production; without them the
embedded SQLite mode is tested."""

from __future__ import annotations

from stargate.settings import *  # noqa: F403
from stargate.settings import Q_CLUSTER

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
Q_CLUSTER["sync"] = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, as in the embedded mode: concurrent writers (the approval race tests) wait on its
    # lock (WAL, IMMEDIATE, timeout) instead of failing on the in-memory shared cache's locks.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-stargate.sqlite3")}  # noqa: F405
