"""The AI page's automatic-investigation panel: the switch's state (off by default), today's
automatic runs and the budgets left, the gate's latest decisions on the user's labs only, and
the switch itself, for a permitted user only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone

from labs.models import Team
from labs.tests import factories
from rubrics_app.investigation.triggers import auto_investigation_enabled
from rubrics_app.models import AttentionDecision, AttentionGate

from .attention_fixtures import Trigger, runs

pytestmark = pytest.mark.django_db
PANEL = "/rubrics/ai/attention/"
SWITCH = "/rubrics/ai/attention/switch/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _member(team: Team, name: str = "member", *, switch: bool = False) -> User:
    user = User.objects.create_user(name, password="pw-for-tests-1")
    team.members.add(user)
    if switch:
        user.user_permissions.add(Permission.objects.get(codename="switch_auto_investigation"))
    return User.objects.get(pk=user.pk)


def test_the_ai_page_loads_the_panel() -> None:
    user = User.objects.create_user("u", password="pw-for-tests-1")
    html = _client(user).get("/rubrics/ai/").content.decode()
    assert f'hx-get="{PANEL}"' in html and 'id="attention"' in html


def test_the_panel_shows_the_switch_budgets_left_and_only_the_users_decisions(
    django_assert_max_num_queries: Any,
) -> None:
    ours, theirs = Team.objects.create(name="ours"), Team.objects.create(name="theirs")
    mine = factories.lab_instance(of=factories.lab("ours-item", team=ours))
    other = factories.lab_instance(of=factories.lab("their-secret-item", team=theirs))
    now = timezone.now()
    runs(mine, 2, ago=timedelta(seconds=1), now=now)
    runs(other, 1, trigger=Trigger.AUTO_ANOMALOUS, ago=timedelta(seconds=1), now=now)
    for lab, reason in ((mine, "expected: failing 5 min"), (other, "their reason")):
        AttentionDecision.objects.create(
            lab_instance=lab,
            rubric_id="deployment-ready",
            failure_class="crashloop",
            source="sweep",
            attention="expected",
            step=1,
            reason=reason,
            at=now,
        )
    client = _client(_member(ours))
    with django_assert_max_num_queries(9):
        page = client.get(PANEL)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="attention-state">off<' in html and "attention-switch" not in html
    assert "<td>2</td><td>100</td><td>98</td>" in html  # stuck: 2 of 100 today
    assert "<td>1</td><td>50</td><td>49</td>" in html  # anomalous
    assert "<td>3</td><td>150</td><td>147</td>" in html  # all
    assert "skipped at step 1: expected: failing 5 min" in html
    assert mine.namespace in html and other.namespace not in html
    assert "their reason" not in html and "their-secret-item" not in html


def test_only_a_permitted_user_switches_it(django_assert_max_num_queries: Any) -> None:
    team = Team.objects.create(name="ops")
    plain = _client(_member(team, "plain"))
    assert plain.post(SWITCH, {"enabled": "on"}).status_code == 403
    assert not auto_investigation_enabled()
    allowed = _client(_member(team, "lead", switch=True))
    assert 'id="attention-switch">Switch on<' in allowed.get(PANEL).content.decode()
    page = allowed.post(SWITCH, {"enabled": "on"}, headers={"HX-Request": "true"})
    assert page.status_code == 200 and 'id="attention-state">on<' in page.content.decode()
    assert auto_investigation_enabled()
    assert AttentionGate.objects.get().changed_by is not None
    redirect = allowed.post(SWITCH, {"enabled": "off"})
    assert redirect.status_code == 302 and redirect["Location"].endswith("/rubrics/ai/#attention")
    assert not auto_investigation_enabled()


def test_the_admin_switches_it_too(admin_client: Client) -> None:
    assert admin_client.get("/admin/rubrics_app/attentiongate/add/").status_code == 200
    response = admin_client.post("/admin/rubrics_app/attentiongate/add/", {"enabled": "on"})
    assert response.status_code == 302 and auto_investigation_enabled()
    assert admin_client.get("/admin/rubrics_app/attentiongate/add/").status_code == 403
    assert admin_client.get("/admin/rubrics_app/attentiondecision/").status_code == 200


def test_a_run_page_says_the_attention_gate_started_it() -> None:
    operator = factories.platform_operator(User.objects.create_user("op", password="pw-1-tests"))
    lab = factories.lab_instance(of=factories.lab())
    runs(lab, 1, ago=timedelta(seconds=1), now=timezone.now())
    run = lab.investigations.get()
    html = _client(operator).get(f"/rubrics/investigations/{run.pk}/").content.decode()
    assert "automatically (Auto Stuck, the attention gate)" in html and f"auto-{run.pk}" in html
