"""Severity: class severity, systemic, session urgency from forecasting.Session, blast radius."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from forecasting.models import Session
from incidents.facts import class_severity, next_session_minutes
from incidents.severity import Factors, severity_of
from labs.models import Cluster, Lab


def test_it_takes_the_class_severity_from_the_registry() -> None:
    assert class_severity("crashloop") == "high"
    assert class_severity("lab-stopped") == "low"
    assert class_severity("no-such-class") == ""


@pytest.mark.parametrize(
    ("factors", "level", "score"),
    [
        (Factors("medium"), "medium", 5.0),
        (Factors("medium", systemic=True), "high", 7.5),
        (Factors("medium", next_session_in_min=45), "critical", 10.0),
        (Factors("medium", next_session_in_min=90), "high", 7.5),
        (Factors("medium", next_session_in_min=180), "medium", 5.0),
        (Factors("medium", next_session_in_min=0), "critical", 10.0),  # running now
        (Factors("low"), "low", 2.0),
        (Factors("low", attendees=25), "low", 3.0),
        (Factors("low", attendees=25, systemic=True, next_session_in_min=30), "critical", 9.0),
        (Factors(""), "medium", 5.0),
    ],
)
def test_it_combines_the_factors(factors: Factors, level: str, score: float) -> None:
    result = severity_of(factors)
    assert (result.level, result.score) == (level, score)
    assert result.factors["base"] > 0


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_reads_the_next_session_of_the_lab_on_its_cluster() -> None:
    now = timezone.now()
    lab = Lab.objects.create(catalog_item="ocp-workshop")
    east = Cluster.objects.create(name="east", api_url="https://127.0.0.1:1")
    west = Cluster.objects.create(name="west", api_url="https://127.0.0.1:2")
    assert next_session_minutes([(lab.pk, east.pk)], now) is None
    Session.objects.create(
        lab=lab,
        name="other cluster",
        cluster=west,
        starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
    )
    assert next_session_minutes([(lab.pk, east.pk)], now) is None
    Session.objects.create(
        lab=lab,
        name="every cluster",
        starts_at=now + timedelta(minutes=50),
        ends_at=now + timedelta(hours=2),
    )
    assert next_session_minutes([(lab.pk, east.pk)], now) == pytest.approx(50)
    Session.objects.create(
        lab=lab,
        name="running",
        cluster=east,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
    )
    assert next_session_minutes([(lab.pk, east.pk)], now) == 0.0
