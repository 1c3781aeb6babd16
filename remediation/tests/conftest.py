from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User

from labs.models import Cluster, Lab, LabInstance
from labs.tests.factories import platform_operator
from remediation.catalog import catalog_load
from remediation.management.commands.load_catalog import catalog_rows
from remediation.models import RemediationAction
from remediation.services import catalog_apply


@pytest.fixture(autouse=True)
def _own_data_dir(settings: Any, tmp_path: Any) -> None:
    """Each test's own data directory: where a simulated fleet's control file is written
    (`sim_lab`), so showroom probes reach this test's simulator and no other's."""
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def catalog(db: None) -> dict[str, RemediationAction]:
    catalog_apply(rows=catalog_rows(catalog_load(settings.REMEDIATIONS_DIR / "catalog.yaml")))
    return {action.action_id: action for action in RemediationAction.objects.all()}


def make_lab_instance(
    mode: str = "low_risk_auto",
    namespace: str = "sandbox-abc12-web",
    cluster_name: str = "sim1",
    max_per_hour: int = 3,
    **cluster: Any,
) -> LabInstance:
    cluster_row, _ = Cluster.objects.get_or_create(
        name=cluster_name,
        defaults={"api_url": "https://127.0.0.1:1", "labels": {"purpose": "test"}, **cluster},
    )
    lab, _ = Lab.objects.get_or_create(
        catalog_item=f"{namespace.split('-', 2)[-1]}-{mode}",
        defaults={"execution_mode": mode, "max_actions_per_hour": max_per_hour},
    )
    return LabInstance.objects.create(cluster=cluster_row, namespace=namespace, lab=lab)


@pytest.fixture
def lab_instance(db: None) -> LabInstance:
    return make_lab_instance()


def _user(username: str, *perms: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw-" + username)
    for perm in perms:
        user.user_permissions.add(Permission.objects.get(codename=perm))
    return platform_operator(user)  # approvers of every team's labs (teams: test_team_scoping)


@pytest.fixture
def approver(db: None) -> User:
    return _user("alice", "approve_actionrequest")


@pytest.fixture
def second_approver(db: None) -> User:
    return _user("dave", "approve_actionrequest")


@pytest.fixture
def operator(db: None) -> User:  # can see pages, cannot approve
    return _user("bob")


# The simulator engineer's factory fixture, for the end-to-end tests.
from simulator.tests.conftest import simulator_server  # noqa: E402, F401
