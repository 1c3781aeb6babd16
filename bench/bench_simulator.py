"""How long the simulated fleet takes to generate, load and list, for 2,000 lab namespaces.

Run: python bench/bench_simulator.py [--namespaces 2000] [--clusters 1]
The target is under 10 s for 2,000 namespaces; the baseline in the same run is 200 namespaces,
so the ratio shows whether generation stays linear.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stargate.settings")

from simulator.fleet import fleet_simulator
from simulator.generator import FleetSpec, generate_fleet


def served(namespaces: int) -> None:
    """Time listing every pod of one cluster over HTTPS, whole and in pages of 500."""
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=namespaces, failure_rate=0.1))
    sim = fleet_simulator(fleet)
    try:
        api = sim.api_client()
        for path in ("/api/v1/pods", "/api/v1/pods?limit=500"):
            start = time.perf_counter()
            response = api.call_api(
                path, "GET", auth_settings=["BearerToken"], _preload_content=False
            )
            elapsed = time.perf_counter() - start
            print(
                f"GET {path} on a {namespaces}-namespace cluster: {elapsed:.3f} s, "
                f"{len(response.data) // 1024} KiB"
            )
    finally:
        sim.stop()


def timed(namespaces: int, clusters: int) -> tuple[float, float, int]:
    spec = FleetSpec(clusters=clusters, namespaces=namespaces // clusters, failure_rate=0.1)
    start = time.perf_counter()
    fleet = generate_fleet(spec)
    generated = time.perf_counter() - start
    fleet.stores()
    loaded = time.perf_counter() - start - generated
    return generated, loaded, sum(len(objs) for objs in fleet.objects.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--namespaces", type=int, default=2000)
    parser.add_argument("--clusters", type=int, default=1)
    args = parser.parse_args()
    base_gen, _, base_objects = timed(200, args.clusters)
    gen, load, objects = timed(args.namespaces, args.clusters)
    print(f"baseline: 200 namespaces, {base_objects} objects generated in {base_gen:.2f} s")
    print(
        f"{args.namespaces} namespaces, {objects} objects: generated in {gen:.2f} s, "
        f"loaded into stores in {load:.2f} s (target: generation < 10 s)"
    )
    print(f"ratio: {gen / base_gen:.1f}x the time for {args.namespaces / 200:.0f}x the namespaces")
    served(args.namespaces // args.clusters)


if __name__ == "__main__":
    main()
