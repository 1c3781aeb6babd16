"""A lab instance's copy of its catalog item's team (`LabInstance.team`): the index a team
member's labs table reads in triage order. It follows the catalog item's team wherever that is
set, and the batch path of a first scan gives new catalog items their team by the patterns."""

from __future__ import annotations

import pytest

from labs.models import LabInstance, Status, Team
from labs.naming import parse_lab_namespace
from labs.selectors import Audience, lab_table_rows
from labs.services import lab_instances_upsert, team_patterns_apply
from labs.tests import factories

pytestmark = pytest.mark.django_db


def _names(*namespaces: str) -> list:
    names = [parse_lab_namespace(namespace) for namespace in namespaces]
    assert all(names)
    return names


def test_a_first_scan_gives_new_catalog_items_their_team_by_the_patterns() -> None:
    web = Team.objects.create(name="web", catalog_item_patterns="shop-*")
    cluster = factories.cluster()

    found = lab_instances_upsert(
        cluster=cluster, lab_names=_names("sandbox-abc12-shop-demo", "sandbox-def34-other")
    )

    shop, other = found["sandbox-abc12-shop-demo"], found["sandbox-def34-other"]
    assert shop.lab.team == web
    assert other.lab.team is None
    assert LabInstance.objects.get(pk=shop.pk).team_id == web.pk
    assert LabInstance.objects.get(pk=other.pk).team_id is None


def test_the_copy_follows_the_catalog_items_team() -> None:
    web, data = Team.objects.create(name="web"), Team.objects.create(name="data")
    lab = factories.lab(team=web)
    instance = factories.lab_instance(of=lab)
    assert LabInstance.objects.get(pk=instance.pk).team_id == web.pk

    lab.team = data  # an admin's edit
    lab.save()
    assert LabInstance.objects.get(pk=instance.pk).team_id == data.pk

    data.delete()
    assert LabInstance.objects.get(pk=instance.pk).team_id is None

    web.catalog_item_patterns = lab.catalog_item
    web.save()
    team_patterns_apply(web)
    assert LabInstance.objects.get(pk=instance.pk).team_id == web.pk


def test_a_members_labs_table_reads_their_labs_worst_first() -> None:
    web, data = Team.objects.create(name="web"), Team.objects.create(name="data")
    cluster = factories.cluster()
    theirs = factories.lab(team=data)
    for _ in range(3):
        factories.lab_instance(on=cluster, of=theirs, status=Status.FAILED)
    mine = factories.lab(team=web)
    ready = factories.lab_instance(on=cluster, of=mine, status=Status.READY)
    failed = factories.lab_instance(on=cluster, of=mine, status=Status.FAILED)

    rows = list(lab_table_rows(Audience(team_ids=frozenset({web.pk}))))

    assert [row["pk"] for row in rows] == [failed.pk, ready.pk]
