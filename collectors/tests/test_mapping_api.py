"""Lab mappings through the typed API: read scope to list (team-scoped), admin scope to write."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from collectors.models import LabMapping
from labs.models import Lab, Team
from labs.tests.factories import platform_operator
from stargate.apikeys import api_key_create

pytestmark = pytest.mark.django_db
URL = "/api/v1/integration/lab-mappings"


def _key(name: str, scopes: list[str], *, operator: bool = False, team: Team | None = None) -> str:
    owner = User.objects.create_user(name)
    owner.user_permissions.add(Permission.objects.get(codename="change_labmapping"))
    if operator:
        platform_operator(owner)
    if team is not None:
        team.members.add(owner)
    return f"Bearer {api_key_create(name=name, owner=owner, scopes=scopes).token}"


def _put(client: Client, code: str, key: str, **body: Any) -> Any:
    return client.put(
        f"{URL}/{code}", body, content_type="application/json", headers={"Authorization": key}
    )


def test_an_admin_key_writes_a_mapping_no_collector_replaces(client: Client) -> None:
    lab = Lab.objects.create(catalog_item="lb1208-rhel-virt")
    key = _key("ops", ["admin"], operator=True)
    answer = _put(
        client,
        "LB1208",
        key,
        catalog_item=lab.catalog_item,
        namespace_pattern="sandbox-*-lb1208*",
        agnosticv_path="summit-2026/lb1208-rhel-virt",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["source"] == "manual" and answer.json()["catalog_item"] == lab.catalog_item
    assert LabMapping.objects.get(lab_code="LB1208").lab == lab
    listed = client.get(URL, headers={"Authorization": key}).json()
    assert [m["lab_code"] for m in listed] == ["LB1208"]


def test_it_refuses_a_namespace_as_lab_code_and_a_read_key(client: Client) -> None:
    admin = _key("ops", ["admin"], operator=True)
    bad = _put(client, "sandbox-abc12-lb1208", admin, namespace_pattern="sandbox-*")
    assert bad.status_code == 400 and "lab_code" in bad.json()["problems"]
    assert _put(client, "LB1", _key("reader", ["read"], operator=True)).status_code == 403


def test_a_team_maps_its_own_catalog_items_only(client: Client) -> None:
    mine, theirs = Team.objects.create(name="mine"), Team.objects.create(name="theirs")
    Lab.objects.create(catalog_item="ours", team=mine)
    Lab.objects.create(catalog_item="secret-item", team=theirs)
    LabMapping.objects.create(
        lab_code="LB2000", lab=Lab.objects.get(catalog_item="secret-item"), source="labagator"
    )
    key = _key("tess", ["admin"], team=mine)
    assert _put(client, "LB1999", key, catalog_item="ours").status_code == 200
    hidden = _put(client, "LB1998", key, catalog_item="secret-item")
    assert hidden.status_code == 404 and "secret-item" not in hidden.content.decode()
    taken = _put(client, "LB2000", key, catalog_item="ours")
    assert taken.status_code == 409 and "secret-item" not in taken.content.decode()
    listed = client.get(URL, headers={"Authorization": key}).json()
    assert [m["lab_code"] for m in listed] == ["LB1999"]
