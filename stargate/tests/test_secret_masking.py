"""Credentials never appear in start-up errors, log lines or cluster pages."""

from __future__ import annotations

import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from stargate.lib.env import check_redis_url
from stargate.lib.redact import redact_url

pytestmark = pytest.mark.smoke
BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "Hunter2-very-secret"


@pytest.mark.parametrize(
    "url",
    [
        f"http://default:{PASSWORD}@redis.example.com:6379/0",
        f"default:{PASSWORD}@redis.example.com:6379",
        f"ftp://:{PASSWORD}/x@redis.example.com",
    ],
)
def test_it_masks_the_redis_url_it_refuses(url: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        check_redis_url(url)
    assert PASSWORD not in str(refused.value)
    assert "redis.example.com" in str(refused.value)


def test_it_masks_the_redis_url_in_the_start_up_error() -> None:
    env = {
        **os.environ,
        "STARGATE_MODE": "production",
        "STARGATE_SECRET_KEY": "masking-test-" + "0123456789abcdef" * 4,
        "STARGATE_ALLOWED_HOSTS": "localhost",
        "STARGATE_DATABASE_URL": "postgres://u@127.0.0.1:1/db",
        "STARGATE_REDIS_URL": f"http://default:{PASSWORD}@redis.example.com:6379/0",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0 and "STARGATE_REDIS_URL" in done.stderr
    assert PASSWORD not in done.stderr + done.stdout


def test_it_keeps_a_url_without_credentials_readable() -> None:
    assert PASSWORD not in redact_url(f"rediss://:{PASSWORD}/x@redis.example.com")
    assert redact_url("redis://redis.example.com:6379/0") == "redis://redis.example.com:6379/0"


def test_it_masks_credentials_in_every_log_line() -> None:
    config = logging.config.DictConfigurator(settings.LOGGING)
    formatter = config.configure_formatter(settings.LOGGING["formatters"]["plain"])
    try:
        raise ConnectionError(f"cannot reach redis://:{PASSWORD}@redis:6379/0")
    except ConnectionError:
        record = logging.LogRecord(
            "x",
            logging.ERROR,
            __file__,
            1,
            "connecting to %s with token=%s",
            (f"https://admin:{PASSWORD}@api.example.com:6443", PASSWORD),
            sys.exc_info(),
        )
    line = formatter.format(record)
    assert "api.example.com:6443" in line and "ConnectionError" in line
    assert PASSWORD not in line


@pytest.mark.django_db
def test_it_masks_the_credentials_of_a_cluster_url(admin_user: Any) -> None:
    from labs.models import Cluster

    Cluster.objects.create(name="c1", api_url=f"https://admin:{PASSWORD}@api.example.com:6443")
    client = Client()
    client.force_login(admin_user)
    page = client.get("/clusters/c1/").content.decode()
    assert "api.example.com:6443" in page
    assert PASSWORD not in page
