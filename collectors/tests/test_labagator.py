from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from collectors.models import ScheduledLab, SourceState
from collectors.runner import source_run
from forecasting.models import Session
from labs.models import Lab

from .conftest import NOW, Configure

pytestmark = pytest.mark.django_db


def test_labagator_upserts_its_sessions_and_keeps_hand_entered_ones(
    configure: Configure, services: Any
) -> None:
    configure("labagator")
    lab = Lab.objects.create(catalog_item="ocp4-cluster")
    manual = Session.objects.create(
        lab=lab, name="by hand", starts_at=NOW, ends_at=NOW + timedelta(hours=1)
    )
    run = source_run("labagator", now=NOW)
    assert run is not None and run.ok, run.error
    rows = Session.objects.filter(source="labagator")
    assert rows.count() == len(services.server("labagator").data["sessions"])
    first = rows.filter(lab=lab, attendees=60).get()
    assert first.starts_at == NOW + timedelta(minutes=90)
    assert first.ends_at - first.starts_at == timedelta(hours=4)
    assert ScheduledLab.objects.get(lab_code="LB1201").lab == lab
    assert Session.objects.filter(pk=manual.pk).exists()
    state = SourceState.objects.get(name="labagator")
    assert state.freshness(NOW) == "fresh"
    assert state.summary["upcoming_sessions"][0]["attendees"] == 60

    # a session gone from the source is removed; the hand-entered one stays
    data = services.server("labagator").data
    saved = list(data["sessions"])
    data["sessions"] = saved[1:]
    try:
        assert source_run("labagator", now=NOW).ok  # type: ignore[union-attr]
    finally:
        data["sessions"] = saved
    assert rows.count() == len(saved) - 1
    assert Session.objects.filter(pk=manual.pk).exists()


def test_labagator_follows_next_across_pages(configure: Configure, services: Any) -> None:
    configure("labagator", page_size=2)
    run = source_run("labagator", now=NOW)
    assert run is not None and run.ok
    assert Session.objects.filter(source="labagator").count() == len(
        services.server("labagator").data["sessions"]
    )


def test_launchpad_is_the_fallback_without_labagator(configure: Configure) -> None:
    configure("launchpad")
    run = source_run("launchpad", now=NOW)
    assert run is not None and run.ok, run.error
    rows = Session.objects.filter(source="launchpad")
    assert rows.exists()
    assert not rows.filter(has_start_time=True).exists()
    assert set(rows.values_list("attendees", flat=True)) == {1}


def test_launchpad_is_skipped_when_labagator_is_configured(configure: Configure) -> None:
    configure("launchpad")
    assert source_run("launchpad", now=NOW).ok  # type: ignore[union-attr]
    configure("labagator")
    assert source_run("launchpad", now=NOW) is None
    assert not SourceState.objects.get(name="launchpad").configured
    assert source_run("labagator", now=NOW).ok  # type: ignore[union-attr]
    assert not Session.objects.filter(source="launchpad").exists()  # the fallback's rows go
