"""Pools found through the lab mappings' `pool_pattern` (platform-contracts 3.3) when neither the
catalog item nor the lab code names them: one lab's pool state, the capacity forecast (a team's
view and the session demand's pool) and the Provisioning page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from collectors.models import LabMapping, PoolSnapshot, ScheduledLab
from forecasting.models import Session
from forecasting.selectors import capacity_forecast, lab_pool_state
from labs.models import Lab, Team
from labs.selectors import Audience
from recommendations.selectors import provisioning

pytestmark = pytest.mark.django_db


def _pool(name: str, available: int, provider: str = "") -> None:
    PoolSnapshot.objects.create(
        pool_name=name,
        available=available,
        ready=available,
        min_available=5,
        total_handles=10,
        catalog_item=provider,  # Babylon names another provider than the lab's catalog item
        taken_at=timezone.now() - timedelta(minutes=5),
    )


@pytest.fixture
def fleet() -> dict[str, object]:
    team, other = Team.objects.create(name="virt"), Team.objects.create(name="ai")
    lab = Lab.objects.create(catalog_item="summit.rhel-virt-roadshow.prod", team=team)
    theirs = Lab.objects.create(catalog_item="summit.ai-lab.prod", team=other)
    ScheduledLab.objects.create(source="labagator", lab_code="LB1208", lab=lab)
    # the pool's name carries neither the catalog item nor the lab code
    _pool("zt-virt-pool-east", 2, provider="babylon-generic")
    _pool("zt-ai-pool-east", 7, provider="babylon-generic")
    _pool("zt-other", 3, provider="babylon-generic")
    LabMapping.objects.create(lab_code="LB1208", lab=lab, pool_pattern="zt-virt-pool-*")
    # a broad pattern of another lab matches both pools; the more specific one wins the virt pool
    LabMapping.objects.create(lab_code="LB3000", lab=theirs, pool_pattern="zt-*-pool-*")
    return {"lab": lab, "theirs": theirs, "team": team, "other": other}


def test_one_labs_pool_state_is_found_through_its_mapping(fleet: dict[str, object]) -> None:
    lab, theirs = fleet["lab"], fleet["theirs"]
    assert isinstance(lab, Lab) and isinstance(theirs, Lab)
    state = lab_pool_state(lab, "LB1208")
    assert state is not None and state["pool"] == "zt-virt-pool-east"
    assert state["available"] == 2
    # the broad pattern's lab gets the pool only it matches, never the virt pool
    other = lab_pool_state(theirs, "LB3000")
    assert other is not None and other["pool"] == "zt-ai-pool-east"
    unmapped = Lab.objects.create(catalog_item="summit.unmapped.prod")
    assert lab_pool_state(unmapped, "LB4000") is None


def test_the_forecast_links_sessions_and_a_teams_pools_through_mappings(
    fleet: dict[str, object],
) -> None:
    lab, team = fleet["lab"], fleet["team"]
    assert isinstance(lab, Lab) and isinstance(team, Team)
    now = timezone.now()
    Session.objects.create(
        lab=lab,
        name="roadshow",
        lab_code="LB1208",
        attendees=40,
        starts_at=now + timedelta(hours=2),
        ends_at=now + timedelta(hours=6),
    )
    forecast = capacity_forecast(audience=Audience(team_ids=frozenset({team.pk})), now=now)
    assert [p.name for p in forecast.pools] == ["zt-virt-pool-east"]
    assert [d.pool for d in forecast.demands] == ["zt-virt-pool-east"]
    everything = capacity_forecast(audience=Audience(everything=True), now=now)
    assert {p.name for p in everything.pools} == {
        "zt-virt-pool-east",
        "zt-ai-pool-east",
        "zt-other",
    }
    assert [d.pool for d in everything.demands] == ["zt-virt-pool-east"]


def test_the_provisioning_page_shows_the_mapped_pool(fleet: dict[str, object]) -> None:
    team = fleet["team"]
    assert isinstance(team, Team)
    page = provisioning(Audience(team_ids=frozenset({team.pk})), "LB1208", timezone.now())
    assert page.pool is not None and page.pool.pool_name == "zt-virt-pool-east"
    assert page.pool_status != "none"
