"""From the Babylon collector to a recommendation: the simulated fleet's exhausted pool, read
through the real Kubernetes client, is recommended for scaling and the request lands in the
approval queue."""

from __future__ import annotations

from typing import Any

import pytest

from collectors.runner import source_run
from labs.models import Lab, LabInstance
from recommendations.models import Recommendation
from recommendations.services import recommendation_request_action, recommendations_refresh
from remediation.models import ActionRequest
from scanning.tests.fixtures_scan import cluster_row
from simulator.catalog import EXHAUSTED_ITEM
from simulator.generator import FleetSpec, generate_fleet
from simulator.tests.conftest import simulator_server  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_exhausted_pool_of_the_fleet_becomes_a_pool_scale_request(
    simulator_server: Any,  # noqa: F811
    settings: Any,
    catalog: None,
    operator: Any,
) -> None:
    settings.COLLECTORS = {"babylon": {"retries": 1, "backoff_seconds": 0}}
    settings.COLLECTORS_MANIFEST = "/nonexistent/services.json"
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=8, failure_rate=0.3, seed=7))
    sim = simulator_server(fleet=fleet)
    cluster = cluster_row(sim, fleet.clusters[0])
    lab = Lab.objects.create(catalog_item=EXHAUSTED_ITEM, execution_mode="full_auto")
    LabInstance.objects.create(
        cluster=cluster, lab=lab, namespace=f"sandbox-zz1aa-{EXHAUSTED_ITEM}"
    )
    run = source_run("babylon")
    assert run is not None and run.ok, run.error

    recommendations_refresh(live_cleanup=False)
    row = Recommendation.objects.get(rule="pool_exhaustion", target=EXHAUSTED_ITEM)
    assert (row.urgency, row.confidence) == ("high", 0.95)  # available 0
    assert row.lab == lab
    request = recommendation_request_action(recommendation=row, user=operator)
    assert request.status == ActionRequest.Status.PENDING
    assert request.parameters["pool"] == EXHAUSTED_ITEM
    assert request.parameters["min_available"] == 6  # twice the pool's minimum of 3
