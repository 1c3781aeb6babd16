from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from forecasting.models import Session
from forecasting.selectors import session_running
from labs.models import Cluster, Lab

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def lab() -> Lab:
    return Lab.objects.create(catalog_item="ocp-workshop")


def _cluster(name: str) -> Cluster:
    return Cluster.objects.create(name=name, api_url=f"https://{name}.example.com:6443")


def test_it_is_running_from_start_until_just_before_the_end(lab: Lab) -> None:
    Session.objects.create(lab=lab, name="Summit", starts_at=T0, ends_at=T0 + 2 * HOUR)
    assert not session_running(lab=lab, now=T0 - dt.timedelta(seconds=1))
    assert session_running(lab=lab, now=T0)
    assert session_running(lab=lab, now=T0 + HOUR)
    assert not session_running(lab=lab, now=T0 + 2 * HOUR)


def test_it_only_counts_the_labs_own_sessions(lab: Lab) -> None:
    other = Lab.objects.create(catalog_item="other")
    Session.objects.create(lab=other, name="Other", starts_at=T0, ends_at=T0 + HOUR)
    assert not session_running(lab=lab, now=T0)


def test_it_limits_a_session_with_a_cluster_to_that_cluster(lab: Lab) -> None:
    east, west = _cluster("east"), _cluster("west")
    Session.objects.create(lab=lab, name="East", starts_at=T0, ends_at=T0 + HOUR, cluster=east)
    assert session_running(lab=lab, now=T0, cluster=east)
    assert not session_running(lab=lab, now=T0, cluster=west)
    assert session_running(lab=lab, now=T0)  # no cluster asked: any session counts


def test_it_covers_every_cluster_when_the_session_has_none(lab: Lab) -> None:
    Session.objects.create(lab=lab, name="All", starts_at=T0, ends_at=T0 + HOUR)
    assert session_running(lab=lab, now=T0, cluster=_cluster("east"))


def test_it_refuses_a_session_that_ends_before_it_starts(lab: Lab) -> None:
    session = Session(lab=lab, name="Backwards", starts_at=T0, ends_at=T0 - HOUR)
    with pytest.raises(ValidationError, match="ends after it starts"):
        session.full_clean()
