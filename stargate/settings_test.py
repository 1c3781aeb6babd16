"""Test settings: the real settings, plus test-only concerns. PostgreSQL and Redis come from the
environment (STARGATE_DATABASE_URL, STARGATE_REDIS_URL) as in production; without them the
embedded SQLite mode is tested."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# The tests drive the simulator (its commands, the showroom and demo seams) in either mode.
os.environ.setdefault("STARGATE_SIMULATOR_ENABLED", "true")

from stargate.settings import *  # noqa: F403
from stargate.settings import Q_CLUSTER

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
Q_CLUSTER["sync"] = True
# Other apps' tests do not run the incident pipeline after their scans (its tests turn it on).
INCIDENTS_QUEUE_AFTER_COMMIT = False
# Notification tests deliver when they choose, to the loopback receivers they start.
NOTIFICATIONS_DELIVER_AFTER_COMMIT = False
NOTIFICATIONS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
WHITENOISE_AUTOREFRESH = True
# Simulators write their kubeconfigs under the temporary directory (pytest's tmp_path).
CREDENTIALS_DIR = Path(tempfile.gettempdir())

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, as in the embedded mode: an in-memory test database ignores close(), which hides
    # the failures of code that loses its connection (the ORM task broker closes it), and
    # concurrent writers (the approval race tests) wait on its lock instead of failing.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
