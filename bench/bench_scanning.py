"""Tier-3 scanning benchmark: prints figures, asserts nothing.

    STARGATE_DATABASE_URL=postgres://... python bench/bench_scanning.py [--namespaces 2000]

A simulated cluster of N lab namespaces (10 pods, 2 VMs and 2 VMIs each, plus deployments,
services, routes, PVCs, DataVolumes, events, AnarchySubjects), built from the real captures in
../shared/fixtures as templates, is served on loopback by the simulator in a child process.
The parent (the "scanning worker") measures, in one run:
  1. bare paged HTTP GETs + orjson parse of the same lists (the floor);
  2. tier-3 scan + normalize + evaluate + persist into PostgreSQL (first and steady state);
  3. the replaced method, `kubectl get <kind> -n <ns> -o json` per kind per namespace, on a
     sample of namespaces, extrapolated to all of them;
and its own peak RSS.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stargate.settings")

FIXTURES = Path(
    os.environ.get(
        "STARGATE_FIXTURES_DIR",
        Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures",
    )
)
CATALOG = ["ocp4-cluster", "rhel-workshop", "aap-intro", "openshift-ai", "virt-roadshow"]


def _items(name: str) -> list[dict[str, Any]]:
    document = orjson.loads((FIXTURES / name).read_bytes())
    return list(document["items"]) if "items" in document else [document]


def _templates() -> dict[str, list[dict[str, Any]]]:
    return {
        "pods": _items("live-infra01/aap2-prod0/pods.json")[:6] + _items("live-cnv/pods.json")[:2],
        "virtualmachines": _items("live-cnv/vm.json")[:2],
        "virtualmachineinstances": _items("live-cnv/vmi.json")[:2],
        "datavolumes": _items("live-cnv/datavolume.json")[:2],
        "persistentvolumeclaims": _items("live-cnv/pvc.json")[:2],
        "deployments": _items("live-infra01/parsec/deployment.json")[:1],
        "services": _items("live-cnv/service.json")[:1],
        "endpoints": _items("live-cnv/endpoints.json")[:1],
        "routes": _items("live-cnv/route.json")[:1],
        "events": _items("oc/unhealthy/events.json")[:2],
        "anarchysubjects": _items("oc/anarchy-live/anarchysubject.json")[:1],
    }


def _copy(template: dict[str, Any], namespace: str, name: str) -> dict[str, Any]:
    obj: dict[str, Any] = orjson.loads(orjson.dumps(template))
    meta = obj["metadata"]
    meta.update(namespace=namespace, name=name, uid=f"{namespace}-{name}")
    meta.pop("resourceVersion", None)
    # An AnarchySubject names the lab it provisioned; each copy must name its own namespace.
    job_vars = obj.get("spec", {}).get("vars", {}).get("job_vars")
    if isinstance(job_vars, dict) and "sandbox_openshift_namespace" in job_vars:
        job_vars["sandbox_openshift_namespace"] = namespace
    return obj


def fleet_objects(namespaces: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    templates = _templates()
    objects: list[dict[str, Any]] = []
    for index in range(namespaces):
        guid = f"{rng.randrange(16**5):05x}"
        ns = f"sandbox-{guid}{index}-{CATALOG[index % len(CATALOG)]}"
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns},
                "status": {"phase": "Active"},
            }
        )
        for key, items in templates.items():
            per_ns = 10 if key == "pods" else len(items)
            for i in range(per_ns):
                objects.append(_copy(items[i % len(items)], ns, f"{key[:-1]}-{i}"))
    return objects


def serve(namespaces: int, conn: Any) -> None:
    """Child process: build the fleet, serve it, report the kubeconfig, wait to be stopped."""
    from simulator import Store, run_in_thread

    store = Store("bench")
    store.load(fleet_objects(namespaces))
    sim = run_in_thread({"bench": store})
    conn.send(str(sim.kubeconfig_path("bench")))
    conn.recv()
    sim.stop()


def bare_lists(api: Any) -> tuple[float, int]:
    from scanning import kinds
    from scanning.client import PAGE_SIZE, list_pages

    started, count = time.perf_counter(), 0
    for resource_ in (kinds.NAMESPACES, *kinds.EVIDENCE_RESOURCES):
        # The scan's page sizes: the same requests.
        for page in list_pages(api, resource_.path(), limit=resource_.page_size or PAGE_SIZE):
            count += len(page)
            del page  # as the scan does: one parsed page alive at a time
    return time.perf_counter() - started, count


def kubectl_sample(kubeconfig: str, namespaces: list[str]) -> float:
    from scanning import kinds

    started = time.perf_counter()
    for ns in namespaces:
        for resource_ in kinds.EVIDENCE_RESOURCES:
            plural = resource_.plural + (f".{resource_.group}" if resource_.group else "")
            subprocess.run(
                ["kubectl", "--kubeconfig", kubeconfig, "get", plural, "-n", ns, "-o", "json"],
                check=True,
                capture_output=True,
            )
    return time.perf_counter() - started


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_trace() -> Any:
    """With BENCH_RSS_TRACE set: the current and peak RSS at each new phase of a scan."""
    if not os.environ.get("BENCH_RSS_TRACE"):
        return None
    phases: set[str] = set()

    def trace(run: Any) -> None:
        phase = run.phase.split(" of ")[0]
        if phase not in phases:
            phases.add(phase)
            with open("/proc/self/statm") as statm:
                now = int(statm.read().split()[1]) * resource.getpagesize() / 2**20
            print(f"    {run.phase}: RSS {now:.0f} MB, peak {_rss_mb():.0f} MB")

    return trace


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--namespaces", type=int, default=2000)
    parser.add_argument("--kubectl-sample", type=int, default=5)
    args = parser.parse_args()

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(args.namespaces, child)
    )
    started = time.perf_counter()
    server.start()
    kubeconfig = parent.recv()
    ready = time.perf_counter() - started
    print(f"simulated cluster: {args.namespaces} namespaces, ready in {ready:.1f} s")

    import django
    from benchdb import ensure_database

    # The simulator's kubeconfig lives in its own temporary directory: that is the
    # credentials directory of this process (a cluster's files must be under it).
    os.environ["STARGATE_CREDENTIALS_DIR"] = str(Path(kubeconfig).parent)

    ensure_database(os.environ["STARGATE_DATABASE_URL"])
    django.setup()
    from django.core.management import call_command

    from labs.models import Cluster
    from scanning.client import api_client_for
    from scanning.models import ScanRun
    from scanning.services import scan_run_execute

    call_command("migrate", verbosity=0)
    # Its own row per run: a run that overlaps another's (same database) cannot delete it.
    name = f"bench-{os.getpid()}"
    cluster = Cluster.objects.create(
        name=name,
        api_url="https://127.0.0.1",
        kubeconfig_path=kubeconfig,
        simulated=True,
        insecure_lab=True,
    )
    try:
        print(f"RSS after start-up: {_rss_mb():.0f} MB")
        bare, count = bare_lists(api_client_for(cluster))
        print(f"bare paged GETs + orjson parse: {bare:.2f} s for {count} objects")
        print(f"RSS after the bare lists: {_rss_mb():.0f} MB")
        runs: list[ScanRun] = []
        for attempt in range(2):
            if os.environ.get("BENCH_PROFILE"):  # <path>.first and <path>.steady
                import cProfile

                profiler = cProfile.Profile()
                runs.append(profiler.runcall(scan_run_execute, cluster=cluster, tier=3, force=True))
                profiler.dump_stats(
                    os.environ["BENCH_PROFILE"] + (".steady" if attempt else ".first")
                )
            else:
                runs.append(
                    scan_run_execute(cluster=cluster, tier=3, force=True, on_progress=_rss_trace())
                )
            run = runs[-1]
            assert run.status == ScanRun.Status.SUCCEEDED, run.errors
            print(f"tier-3 scan: {run.duration_ms / 1000:.2f} s ({run.summary})")  # type: ignore[operator]
            print(f"  peak RSS so far: {_rss_mb():.0f} MB")
        first = runs[0].duration_ms / 1000  # type: ignore[operator]
        steady = runs[-1].duration_ms / 1000  # type: ignore[operator]
        # The machine is shared: the floor is measured again after the scans, and the faster
        # of the two is used, which can only make the ratio look worse.
        bare_after, _ = bare_lists(api_client_for(cluster))
        print(f"bare paged GETs + orjson parse, again: {bare_after:.2f} s")
        floor = min(bare, bare_after)
        print(f"ratio tier-3 steady / bare: {steady / floor:.2f}x (target <= 1.5x)")
        print(f"ratio tier-3 first / bare: {first / floor:.2f}x (target <= 3.0x)")
        namespaces = cluster.lab_instances.values_list("namespace", flat=True)
        sample = list(namespaces[: args.kubectl_sample])
        per_ns = kubectl_sample(kubeconfig, sample) / len(sample)
        extrapolated = per_ns * args.namespaces
        print(f"kubectl per kind per namespace: {per_ns:.2f} s per namespace")
        print(f"  ({len(sample)} namespaces sampled; extrapolated: {extrapolated:.0f} s for all)")
        print(f"speed-up vs kubectl: {extrapolated / steady:.0f}x (target >= 20x)")
        print(f"peak RSS of the scanning process: {_rss_mb():.0f} MB (target <= 250 MB)")
    finally:
        Cluster.objects.filter(name=name).delete()
        parent.send("stop")
        server.join(timeout=30)


if __name__ == "__main__":
    main()
