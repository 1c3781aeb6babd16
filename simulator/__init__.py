"""A Kubernetes API simulator: simulated clusters served over HTTPS on loopback.

    run_in_thread({"c1": store})                      # clusters for hand-made stores
    fleet_simulator(generate_fleet(FleetSpec(...)))   # a generated fleet with showroom pages
    captures_store(path)                              # a directory of captures, as captured

Each returns (or feeds) a running `Simulator`; call `.stop()` when done.
"""

from __future__ import annotations

from simulator.captures import captures_store
from simulator.fleet import FleetSimulator, fleet_simulator
from simulator.generator import Fleet, FleetSpec, generate_fleet
from simulator.runtime import Simulator, run_in_thread
from simulator.store import Store

__all__ = [
    "Fleet",
    "FleetSimulator",
    "FleetSpec",
    "Simulator",
    "Store",
    "captures_store",
    "fleet_simulator",
    "generate_fleet",
    "run_in_thread",
]
