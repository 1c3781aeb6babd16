"""The remediation catalog page, read-only: every loaded action with its risk and gates."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from remediation.models import RemediationAction

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_it_lists_every_action_with_its_risk_and_classes(
    client: Any, django_user_model: Any, django_assert_max_num_queries: Any
) -> None:
    call_command("load_catalog", stdout=StringIO())
    client.force_login(django_user_model.objects.create_user("bob"))
    with django_assert_max_num_queries(8):
        response = client.get("/remediation/catalog/")
    html = response.content.decode()

    assert response.status_code == 200
    for action in RemediationAction.objects.all():
        assert f'id="action-{action.action_id}"' in html
    restart = html.split('id="action-restart-pod"', 1)[1].split("</tr>", 1)[0]
    assert "Low" in restart and "crashloop" in restart and "anarchy_transitioning" in restart
    assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # read-only


def test_favicon_answers_on_every_path(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
