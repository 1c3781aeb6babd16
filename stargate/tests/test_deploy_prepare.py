from __future__ import annotations

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from labs.models import Cluster
from remediation.models import RemediationAction


@pytest.mark.django_db
def test_it_prepares_a_release_and_can_run_twice() -> None:
    Cluster.objects.create(name="east", api_url="https://api.east.example:6443")
    for _ in range(2):
        call_command("deploy_prepare")
    assert RemediationAction.objects.filter(action_id="restart-pod").exists()
    names = set(Schedule.objects.values_list("name", flat=True))
    assert any("east" in name for name in names), names
    assert len(names) == Schedule.objects.count()
