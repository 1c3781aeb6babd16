"""Lab mappings in the admin: team-scoped, saved by hand as `manual`, validated."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from collectors.models import ConstraintViolation, LabMapping
from labs.models import Lab, Team

pytestmark = pytest.mark.django_db


def _staff(team: Team) -> User:
    user = User.objects.create_user("tess", password="pw-tess-123", is_staff=True)
    for codename in ("view_labmapping", "add_labmapping", "change_labmapping"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    user.user_permissions.add(Permission.objects.get(codename="view_constraintviolation"))
    team.members.add(user)
    return user


def test_a_team_member_sees_and_writes_its_own_mappings_only(client: Client) -> None:
    mine, theirs = Team.objects.create(name="mine"), Team.objects.create(name="theirs")
    ours = Lab.objects.create(catalog_item="ours-item", team=mine)
    hidden = Lab.objects.create(catalog_item="hidden-item", team=theirs)
    LabMapping.objects.create(lab_code="LB1111", lab=ours, namespace_pattern="sandbox-*-ours")
    LabMapping.objects.create(lab_code="LB2222", lab=hidden, namespace_pattern="sandbox-*-x")
    ConstraintViolation.objects.create(lab=hidden, lab_code="LB2222", violation_type="x")
    client.force_login(_staff(mine))
    page = client.get("/admin/collectors/labmapping/").content.decode()
    assert "LB1111" in page and "LB2222" not in page
    assert "LB2222" not in client.get("/admin/collectors/constraintviolation/").content.decode()
    form = {
        "lab_code": "LB1112",
        "source": "labagator",
        "namespace_pattern": "sandbox-*-ours2",
        "clusters": "[]",
        "lab": ours.pk,
    }
    assert client.post("/admin/collectors/labmapping/add/", form).status_code == 302
    assert LabMapping.objects.get(lab_code="LB1112").source == "manual"
    refused = client.post(
        "/admin/collectors/labmapping/add/", {**form, "lab_code": "sandbox-ab1-ours"}
    )
    assert refused.status_code == 200 and "A namespace name is not a lab code." in (
        refused.content.decode()
    )
    other = {**form, "lab_code": "LB1113", "lab": hidden.pk}  # not a choice for this team
    assert client.post("/admin/collectors/labmapping/add/", other).status_code == 200
    assert not LabMapping.objects.filter(lab_code="LB1113").exists()
