"""A low pool before a session: the demo the pages and the browser test walk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from collectors.models import PoolSnapshot, ScheduledLab, SourceName
from forecasting.models import Session, SessionSource
from labs.models import Cluster, Lab, LabInstance, Team
from labs.tests.factories import platform_operator
from remediation.catalog import catalog_load
from remediation.management.commands.load_catalog import catalog_rows
from remediation.services import catalog_apply
from scanning.models import NodeSnapshot

POOL = "lb1208-pool"


@dataclass
class Demo:
    team: Team
    lab: Lab
    other: Lab
    cluster: Cluster
    instance: LabInstance
    now: dt.datetime


def pool_history(
    name: str, values: list[int], *, now: dt.datetime, item: str, minimum: int = 5, step: int = 30
) -> None:
    start = now - dt.timedelta(minutes=step * (len(values) - 1))
    PoolSnapshot.objects.bulk_create(
        PoolSnapshot(
            pool_name=name,
            taken_at=start + dt.timedelta(minutes=step * i),
            available=v,
            ready=v,
            min_available=minimum,
            catalog_item=item,
        )
        for i, v in enumerate(values)
    )


def make_demo() -> Demo:
    now = timezone.now()
    team = Team.objects.create(name="summit")
    cluster = Cluster.objects.create(
        name="ocpv01", api_url="https://127.0.0.1:1", simulated=True, insecure_lab=True
    )
    lab = Lab.objects.create(
        catalog_item="summit.lb1208-cnv.event", team=team, execution_mode="full_auto"
    )
    other = Lab.objects.create(catalog_item="summit.lb2000-aws.event")
    instance = LabInstance.objects.create(
        cluster=cluster, lab=lab, namespace="sandbox-ab12c-lb1208-cnv", guid="ab12c"
    )
    ScheduledLab.objects.create(
        source=SourceName.LABAGATOR,
        lab_code="LB1208",
        title="Virtualization",
        status="ready",
        cloud="CNV",
        ci_name="summit.lb1208-cnv",
        lab=lab,
    )
    pool_history(POOL, [8, 7, 7, 5, 4, 4, 2, 1], now=now, item=lab.catalog_item)
    pool_history("lb2000-pool", [10] * 8, now=now, item=other.catalog_item, minimum=10)
    for offset, attendees, target in ((2, 30, lab), (5, 12, other)):
        starts = now + dt.timedelta(hours=offset)
        Session.objects.create(
            lab=target,
            name=f"{target.catalog_item} s",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=4),
            attendees=attendees,
            cluster=cluster,
            source=SessionSource.MANUAL,
            lab_code="LB1208" if target == lab else "LB2000",
        )
    for i in range(3):
        NodeSnapshot.objects.create(
            cluster=cluster,
            name=f"worker-{i}",
            ready=True,
            cpu_allocatable_millicores=32000,
            cpu_used_millicores=20000,
            memory_allocatable_bytes=128 * 1024**3,
            memory_used_bytes=64 * 1024**3,
            collected_at=now,
        )
    return Demo(team, lab, other, cluster, instance, now)


@pytest.fixture
def demo(db: None) -> Demo:
    return make_demo()


@pytest.fixture
def catalog(db: None) -> None:
    catalog_apply(rows=catalog_rows(catalog_load(settings.REMEDIATIONS_DIR / "catalog.yaml")))


def user_with(username: str, *perms: str, operator: bool = True) -> User:
    user = User.objects.create_user(username, f"{username}@example.com", "pw-" + username)
    for perm in perms:
        user.user_permissions.add(Permission.objects.get(codename=perm))
    return platform_operator(user) if operator else user


@pytest.fixture
def operator(db: None) -> User:
    return user_with("olga", "add_actionrequest", "approve_actionrequest")


@pytest.fixture
def member(demo: Demo) -> Any:
    user = user_with("tess", operator=False)
    demo.team.members.add(user)
    return user
