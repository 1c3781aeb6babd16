"""Collectors against the service simulators (`simulator.platform_services`), real clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from collectors.conf import manifest_options
from simulator.tests.conftest import platform_services, services  # noqa: F401 (fixtures)

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)  # the simulated fleet's clock
FAST = {"timeout": 1.0, "retries": 1, "backoff_seconds": 0.0}

Configure = Callable[..., dict[str, Any]]


@pytest.fixture
def configure(settings: Any, services: Any) -> Iterator[Configure]:  # noqa: F811
    """`configure("aap", **overrides)`: point the source at its simulator (short timeouts)."""
    settings.COLLECTORS = {}
    settings.COLLECTORS_MANIFEST = "/nonexistent/services.json"

    def point(name: str, **overrides: Any) -> dict[str, Any]:
        manifest = services.manifest()
        options = {**manifest_options(name, manifest["services"], manifest["agnosticv"]), **FAST}
        options.update(overrides)
        settings.COLLECTORS = {**settings.COLLECTORS, name: options}
        return options

    yield point


@pytest.fixture
def fleet_clusters(services: Any, db: Any) -> list[Any]:  # noqa: F811
    """Cluster rows named as the simulated fleet's clusters (no scan: an unused API URL)."""
    from labs.models import Cluster

    return [
        Cluster.objects.create(
            name=name, api_url="http://127.0.0.1:9", simulated=True, insecure_lab=True
        )
        for name in services.fleet.clusters
    ]
