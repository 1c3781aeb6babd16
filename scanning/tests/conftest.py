"""The simulator's fixtures and object builders, for scanning's tests (defined in
`simulator/tests/conftest.py`): `simulator_server`, `small_store`, `pod`, `namespace`,
`wait_for`."""

from __future__ import annotations

from simulator.tests.conftest import (  # noqa: F401
    SimulatorFactory,
    namespace,
    pod,
    simulator_server,
    small_store,
    wait_for,
)
