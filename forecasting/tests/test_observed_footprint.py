"""The observed footprint: once enough running labs of a catalog item are measured (their pods'
requests, stored with the evidence), their median size is what each attendee takes; until
then the complexity-score footprint. The capacity page says which was used."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from forecasting.selectors import capacity_forecast, catalog_footprints
from labs.models import LabInstance, Status
from labs.selectors import OPERATORS
from labs.tests.factories import platform_operator
from recommendations.tests.conftest import Demo, make_demo
from scanning.models import LabEvidence

pytestmark = pytest.mark.django_db
GIB = 1024**3


def measured(demo: Demo, name: str, cpu_m: int, mem_gib: int, status: str = Status.READY) -> None:
    instance = LabInstance.objects.create(
        cluster=demo.cluster, lab=demo.lab, namespace=f"sandbox-{name}-lb1208-cnv", status=status
    )
    now = timezone.now()
    LabEvidence.objects.create(
        lab_instance=instance,
        evidence={},
        content_hash=name,
        collected_at=now,
        changed_at=now,
        cpu_requested_millicores=cpu_m,
        memory_requested_bytes=mem_gib * GIB,
    )


@pytest.fixture
def demo(db: None) -> Demo:
    return make_demo()


def test_too_few_running_labs_keep_the_complexity_footprint(demo: Demo, settings: Any) -> None:
    settings.FOOTPRINT_MIN_LABS = 3
    measured(demo, "a1", 2000, 4)
    measured(demo, "a2", 3000, 6)
    measured(demo, "a3", 9000, 30, status=Status.FAILED)  # not running: not counted
    item = demo.lab.catalog_item
    fp = catalog_footprints({item})[item]
    assert (fp.basis, fp.cpu, fp.memory_gib) == ("complexity", 1.2, 2.4)  # 0.3 x (4 cores, 8 GiB)


def test_enough_running_labs_give_their_median_to_the_demand(demo: Demo, settings: Any) -> None:
    settings.FOOTPRINT_MIN_LABS = 3
    for name, cpu, mem in (("a1", 2000, 4), ("a2", 3000, 6), ("a3", 40000, 160)):
        measured(demo, name, cpu, mem)
    forecast = capacity_forecast(audience=OPERATORS, now=demo.now + (timezone.now() - demo.now))
    fp = forecast.footprints[demo.lab.catalog_item]
    assert (fp.basis, fp.cpu, fp.memory_gib, fp.observed_labs) == ("observed", 3.0, 6.0, 3)
    mine = [d for d in forecast.demands if d.lab_code == "LB1208"]
    assert mine and all(d.footprint == fp for d in mine)
    other = forecast.footprints[demo.other.catalog_item]
    assert other.basis == "complexity"
    settings.FOOTPRINT_MIN_LABS = 4
    item = demo.lab.catalog_item
    assert catalog_footprints({item})[item].basis == "complexity"


def test_the_capacity_page_says_which_footprint_was_used(
    demo: Demo, client: Client, django_user_model: Any, settings: Any
) -> None:
    settings.FOOTPRINT_MIN_LABS = 3
    for name in ("a1", "a2", "a3"):
        measured(demo, name, 2000, 4)
    user = platform_operator(django_user_model.objects.create_user("ops", password="pw-ops"))
    client.force_login(user)
    html = client.get("/forecasting/capacity/?hours=24").content.decode()
    assert 'id="capacity-footprints"' in html
    assert "observed: median of 3 running labs" in html
    assert "summit.lb2000-aws.event" in html and "complexity score" in html
