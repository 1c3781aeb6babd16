from __future__ import annotations

from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    """The simulator's management commands (`simulate_fleet`, `inject_failure`); installed only
    where `STARGATE_SIMULATOR_ENABLED` holds (embedded mode and tests by default)."""

    name = "simulator"
    verbose_name = "Kubernetes API simulator"
