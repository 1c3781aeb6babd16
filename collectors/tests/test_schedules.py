from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from collectors.runner import COLLECTORS
from collectors.tasks import collect

pytestmark = pytest.mark.django_db


def test_each_source_is_its_own_schedule_at_its_own_interval(settings: Any) -> None:
    settings.COLLECTORS = {"prometheus": {"interval_seconds": 3600}}
    for _ in range(2):  # idempotent
        call_command("setup_collector_schedules", verbosity=0)
    rows = {s.name: s for s in Schedule.objects.filter(name__startswith="collect-")}
    assert set(rows) == {f"collect-{name}" for name in COLLECTORS}
    assert rows["collect-prometheus"].minutes == 60
    assert rows["collect-babylon"].minutes == 3
    assert rows["collect-agnosticv"].minutes == 10
    assert rows["collect-aap"].func == "collectors.tasks.collect"
    assert rows["collect-aap"].kwargs == repr({"source": "aap"})


def test_the_task_reports_an_unconfigured_source(settings: Any) -> None:
    settings.COLLECTORS = {}
    settings.COLLECTORS_MANIFEST = "/nonexistent/services.json"
    assert collect("zerotouch") == "zerotouch: not configured"


def test_the_manifest_configures_every_source(settings: Any, tmp_path: Any) -> None:
    import json

    from collectors.conf import source_settings

    manifest = tmp_path / "services.json"
    manifest.write_text(
        json.dumps(
            {
                "agnosticv": {"url": "file:///x", "branch": "main"},
                "services": {
                    "aap-event0": {"kind": "aap", "url": "http://a", "user": "m", "password": "p"},
                    "prometheus-c1": {"kind": "prometheus", "url": "http://p", "token": "t"},
                    "zerotouch": {"kind": "zerotouch", "url": "http://z"},
                },
            }
        )
    )
    settings.COLLECTORS = {"zerotouch": {"url": "http://explicit"}}
    settings.COLLECTORS_MANIFEST = str(manifest)
    assert source_settings("aap").options["controllers"][0]["name"] == "event0"
    assert source_settings("prometheus").options["clusters"] == {
        "c1": {"url": "http://p", "token": "t"}
    }
    assert source_settings("alertmanager").options["targets"][0]["cluster"] == "c1"
    assert source_settings("agnosticv").option("url") == "file:///x"
    assert source_settings("zerotouch").option("url") == "http://explicit"  # settings win


def test_credentials_come_from_files(monkeypatch: Any, settings: Any, tmp_path: Any) -> None:
    from collectors.conf import source_settings

    settings.COLLECTORS = {}
    settings.COLLECTORS_MANIFEST = "/nonexistent/services.json"
    secret = tmp_path / "token"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("STARGATE_LABAGATOR_URL", "http://labagator")
    monkeypatch.setenv("STARGATE_LABAGATOR_AUTH_TOKEN_FILE", str(secret))
    monkeypatch.setenv("STARGATE_AAP_CONTROLLERS", "event0")
    monkeypatch.setenv("STARGATE_AAP_EVENT0_URL", "http://aap")
    monkeypatch.setenv("STARGATE_AAP_EVENT0_PASSWORD_FILE", str(secret))
    assert source_settings("labagator").option("auth_token") == "from-a-file"
    controller = source_settings("aap").options["controllers"][0]
    assert controller["password"] == "from-a-file" and controller["user"] == "monitor"
