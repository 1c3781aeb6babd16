"""Django's error reports (the DEBUG page, the admins' error mails) never show the Redis URL:
CACHES, CHANNEL_LAYERS and Q_CLUSTER carry it, and Django's own filter masks none of them."""

from __future__ import annotations

import sys

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from django.utils.module_loading import import_string
from django.views.debug import ExceptionReporter

pytestmark = pytest.mark.smoke

PASSWORD = "r3dis-s3cret-pw"
URL = f"redis://:{PASSWORD}@redis.internal:6379/0"
REDIS_SETTINGS = {
    "REDIS_URL": URL,
    "CHANNEL_LAYERS": {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [URL]}}
    },
    "Q_CLUSTER": {**settings.Q_CLUSTER, "redis": URL},
    "STARGATE_EXTRA_BROKER": f"broker at {URL}",
}


def _report(*, html: bool) -> str:
    reporter_filter = import_string(settings.DEFAULT_EXCEPTION_REPORTER_FILTER)()
    request = RequestFactory().get("/labs/")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    reporter.filter = reporter_filter
    return reporter.get_traceback_html() if html else reporter.get_traceback_text()


@pytest.mark.parametrize("html", [True, False])
def test_it_masks_the_redis_url_in_every_setting_that_holds_it(html: bool) -> None:
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": URL}
    }
    with override_settings(CACHES=caches, **REDIS_SETTINGS):
        report = _report(html=html)
    assert "Q_CLUSTER" in report and "CHANNEL_LAYERS" in report and "CACHES" in report
    assert PASSWORD not in report


def test_it_keeps_harmless_settings_readable() -> None:
    with override_settings(TIME_ZONE="UTC"):
        report = _report(html=False)
    assert "TIME_ZONE = 'UTC'" in report
