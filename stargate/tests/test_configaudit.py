"""Configuration changes are audited: who, when, before and after, from the admin, the pages, the
API, management commands and worker tasks."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client, RequestFactory
from django_q.tasks import async_task

from labs.models import Cluster, Lab
from remediation.models import RemediationAction
from stargate import configaudit
from stargate.models import ConfigChange

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def lab() -> Lab:
    return Lab.objects.create(catalog_item="ocp4-workshop", execution_mode="recommend_only")


@pytest.fixture
def cluster() -> Cluster:
    return Cluster.objects.create(name="east", api_url="https://api.east.example.com:6443")


def _latest(model: str) -> ConfigChange:
    change = ConfigChange.objects.filter(model=model).order_by("-pk").first()
    assert change is not None, f"no ConfigChange for {model}"
    return change


def lab_mode_set_task(lab_id: int, mode: str) -> None:
    """A worker task that changes a lab's execution mode (run by django-q2, sync in tests)."""
    lab = Lab.objects.get(pk=lab_id)
    lab.execution_mode = mode
    lab.save()


def test_it_records_an_admin_edit_with_the_user_before_and_after(
    client: Client, admin_user: User, lab: Lab
) -> None:
    client.force_login(admin_user)
    response = client.post(
        f"/admin/labs/lab/{lab.pk}/change/",
        {
            "catalog_item": lab.catalog_item,
            "display_name": "",
            "team": "",
            "execution_mode": "full_auto",
            "max_actions_per_hour": 3,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    change = _latest("labs.lab")
    assert change.action == ConfigChange.Action.UPDATED
    assert change.user == admin_user and change.actor == "admin"
    assert change.source == ConfigChange.Source.ADMIN
    assert change.object_id == str(lab.pk)
    assert change.changes == {"execution_mode": {"before": "recommend_only", "after": "full_auto"}}


def test_it_records_a_page_edit(client: Client, db: None) -> None:
    call_command("load_catalog", verbosity=0)
    action = RemediationAction.objects.exclude(risk="low").first()
    assert action is not None
    bob = User.objects.create_user("bob", password="pw-bob-123456")
    bob.user_permissions.add(Permission.objects.get(codename="change_remediationaction"))
    client.force_login(bob)
    response = client.post(
        "/remediation/effectiveness/confirm/", {"action_id": action.action_id, "risk": "low"}
    )
    assert response.status_code == 302
    change = _latest("remediation.remediationaction")
    assert (change.actor, change.source, change.user) == ("bob", ConfigChange.Source.WEB, bob)
    assert change.object_repr == str(action)
    assert change.changes == {"risk": {"before": action.risk, "after": "low"}}


def test_it_reads_the_user_an_api_view_sets_after_the_request_started(
    admin_user: User, lab: Lab
) -> None:
    request = RequestFactory().post("/api/v1/anything")
    middleware = configaudit.config_audit_middleware(lambda r: _api_view(r, admin_user, lab))
    middleware(request)
    change = _latest("labs.lab")
    assert (change.actor, change.source, change.user) == ("admin", "api", admin_user)


def _api_view(request: object, user: User, lab: Lab) -> object:
    request.user = user  # type: ignore[attr-defined]  # as the API key auth does
    lab.max_actions_per_hour = 9
    lab.save()
    return None


def test_it_names_the_management_command(db: None) -> None:
    RemediationAction.objects.create(
        action_id="retired-action",
        description="No longer in the catalog",
        risk="low",
        scope="pod",
        allowed_when=["pod-crashloop"],
    )
    call_command("load_catalog", verbosity=0)
    created = ConfigChange.objects.filter(
        action="created", model="remediation.remediationaction"
    ).exclude(object_repr="retired-action")
    assert created.count() > 10
    assert set(created.values_list("actor", flat=True)) == {"system:load_catalog"}
    disabled = _latest("remediation.remediationaction")
    assert disabled.object_repr == "retired-action"
    assert disabled.changes == {"enabled": {"before": True, "after": False}}
    assert (disabled.actor, disabled.source, disabled.user) == (
        "system:load_catalog",
        "command",
        None,
    )


def test_it_names_the_worker_task(lab: Lab) -> None:
    async_task("stargate.tests.test_configaudit.lab_mode_set_task", lab.pk, "low_risk_auto")
    change = _latest("labs.lab")
    assert change.changes == {
        "execution_mode": {"before": "recommend_only", "after": "low_risk_auto"}
    }
    assert change.actor == "task:stargate.tests.test_configaudit.lab_mode_set_task"
    assert change.source == "task"
    # The task's actor does not outlive the task.
    assert configaudit.current_actor() == configaudit.SYSTEM


def test_it_audits_cluster_configuration_but_not_scanner_state(cluster: Cluster) -> None:
    created = _latest("labs.cluster")
    assert created.action == "created" and created.changes["api_url"]["after"].startswith("https")
    cluster.reachable = False
    cluster.consecutive_failures = 3
    cluster.save()
    assert ConfigChange.objects.filter(model="labs.cluster").count() == 1
    cluster.api_url = "https://api.west.example.com:6443"
    cluster.enabled = False
    cluster.save()
    change = _latest("labs.cluster")
    assert set(change.changes) == {"api_url", "enabled"}
    assert change.changes["enabled"] == {"before": True, "after": False}
    cluster_id = cluster.pk
    cluster.delete()
    deleted = _latest("labs.cluster")
    assert (deleted.action, deleted.object_id) == ("deleted", str(cluster_id))
    assert deleted.changes["name"] == {"before": "east", "after": None}


def test_it_diffs_only_the_fields_a_partial_save_writes(lab: Lab) -> None:
    stale = Lab.objects.get(pk=lab.pk)
    Lab.objects.filter(pk=lab.pk).update(display_name="changed elsewhere")
    stale.max_actions_per_hour = 7
    stale.save(update_fields=["max_actions_per_hour"])
    change = _latest("labs.lab")
    assert change.changes == {"max_actions_per_hour": {"before": 3, "after": 7}}


def test_it_records_nothing_when_nothing_changed(lab: Lab) -> None:
    before = ConfigChange.objects.count()
    lab.save()
    assert ConfigChange.objects.count() == before
