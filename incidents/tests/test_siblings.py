"""The incident page shows how its failing members differ from healthy labs of their catalog
item (the same cluster first), as the lab page does (rubrics_app.siblings)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from incidents.models import Incident
from incidents.pipeline import events_process
from labs.models import LabInstance, Status
from labs.tests.factories import platform_operator
from rubrics_app.selectors import sibling_comparisons

from .factories import change, lab_instance, node

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def _healthy(namespace: str, cluster_name: str, node_name: str) -> LabInstance:
    lab = lab_instance(namespace, cluster_name=cluster_name, node=node_name)
    LabInstance.objects.filter(pk=lab.pk).update(status=Status.READY)
    return lab


def test_the_incident_page_lists_each_failing_members_differences(
    django_assert_max_num_queries: Any,
) -> None:
    now = timezone.now()
    for i in range(4):
        lab = lab_instance(f"sandbox-v{i}-web", node="worker-1")
        LabInstance.objects.filter(pk=lab.pk).update(status=Status.WARN)
        change(lab, "warn", "cluster-nodes-not-ready", rubric="cluster-health", at=now)
    node(lab.cluster, "worker-1", ready=False)
    _healthy("sandbox-ok-web", "west", "worker-9")  # another cluster: compared last
    _healthy("sandbox-ok2-web", "east", "worker-3")
    events_process(now)
    incident = Incident.objects.get()
    user = platform_operator(User.objects.create_user("olivia", password="pw"))
    client = Client()
    client.force_login(user)
    html = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "How failing members differ from healthy siblings" in html
    assert html.count('class="card siblings"') == 4
    first = html.split('class="card siblings"')[1]
    assert first.index("east/sandbox-ok2-web") < first.index("west/sandbox-ok-web")  # same first
    assert "1 on the same cluster" in first and "worker-1" in first  # the node only it has


def test_the_comparison_reads_one_query_for_many_labs(
    django_assert_num_queries: Any,
) -> None:
    labs = [lab_instance(f"sandbox-f{i}-web", node="worker-1") for i in range(6)]
    _healthy("sandbox-ok-web", "east", "worker-2")
    for lab in labs:
        lab.status = Status.FAILED
    with django_assert_num_queries(1):
        found = sibling_comparisons(labs)
    assert len(found) == 6
    assert all(c.differences[0].aspect == "Node" for c in found.values())
