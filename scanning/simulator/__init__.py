"""A Kubernetes API simulator: simulated clusters served over HTTP on loopback.

Entry points: `run_in_thread` (running clusters for given stores), `Store`, and the fleet
generator and capture loader in `scanning.simulator.generator` and `.captures`.
"""

from __future__ import annotations

from scanning.simulator.runtime import Simulator, run_in_thread
from scanning.simulator.store import Store

__all__ = ["Simulator", "Store", "run_in_thread"]
