"""Benchmark: the dashboard on 20,000 lab instances and 200,000 state changes in PostgreSQL.

Prints (1) the median server time of the fleet overview and of the labs table (full page and
htmx fragment) against a trivial logged-in page measured in the same run (the issue's target:
at most 3x), then the labs table's rendering alone (header, 50 rows, pages and filter controls,
from rows already read: no query), and (2) the live-update latency from the commit of a rubric
verdict to the DOM change in Chromium, through Daphne and the Redis channel layer: median and p95.

    STARGATE_DATABASE_URL=postgres://... STARGATE_REDIS_URL=redis://... \\
        .venv/bin/python bench/bench_dashboard.py [--labs 20000] [--changes 200000] [--server-only]

It uses its own database (the URL's name + "_bench"), created and filled on the first run.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BASE_URL = os.environ.get("STARGATE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stargate")
BENCH_URL = BASE_URL.rsplit("/", 1)[0] + "/" + BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_bench"
os.environ["STARGATE_DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stargate.settings")
os.environ["STARGATE_REDIS_PREFIX"] = os.environ.get("STARGATE_REDIS_PREFIX", "stargate") + "_bench"
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop shares the main thread

import benchdb  # noqa: E402
import django  # noqa: E402

TABLE_TEMPLATE = "dashboard/lab_table.html"
VIEWS_MODULE = "dashboard.views"
DAPHNE = [sys.executable, "-m", "daphne", "-b", "127.0.0.1"]
STATUSES = ["ready"] * 14 + ["progressing", "warn", "failed", "failed", "stale", "unknown"]
MEMBER = "bench-member"
FAILURES = ["crashloop", "image-pull", "pvc-pending", "showroom-down", "vm-not-running"]


def ensure_database() -> None:
    benchdb.ensure_database(BENCH_URL)


def seed(labs: int, changes: int) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from labs.models import Cluster, Lab, LabInstance, Team
    from rubrics_app.models import StateChange

    if LabInstance.objects.count() >= labs:
        return
    print(f"Seeding {labs} lab instances and {changes} state changes...", flush=True)
    now = timezone.now()
    get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
    teams = [Team.objects.create(name=f"team-{t}") for t in range(10)]
    items = [Lab(catalog_item=f"item-{i}", team=teams[i % 10]) for i in range(50)]
    Lab.objects.bulk_create(items)
    clusters = [
        Cluster(name=f"ocp-{c:02d}", api_url=f"https://api.ocp-{c:02d}.example.com:6443")
        for c in range(20)
    ]
    Cluster.objects.bulk_create(clusters)
    instances = []
    guids = realistic_guids(labs)
    for i in range(labs):
        status = STATUSES[i % len(STATUSES)]
        instances.append(
            LabInstance(
                cluster=clusters[i % 20],
                lab=items[i % 50],
                team=items[i % 50].team,
                namespace=f"sandbox-{guids[i]}-item-{i % 50}",
                guid=guids[i],
                status=status,
                failure_class=FAILURES[i % 5] if status == "failed" else "",
                status_changed_at=now - timedelta(seconds=i * 7),
            )
        )
    LabInstance.objects.bulk_create(instances, batch_size=5000)
    per_lab = max(1, changes // labs)
    rows = [
        StateChange(
            lab_instance=instance,
            rubric_id="" if n % 2 else "deployment-ready",
            from_status="ready",
            to_status=STATUSES[(i + n) % len(STATUSES)],
            at=now - timedelta(seconds=i * 7 + n * 600),
        )
        for i, instance in enumerate(instances)
        for n in range(per_lab)
    ]
    StateChange.objects.bulk_create(rows, batch_size=10000)


def realistic_guids(n: int) -> list[str]:
    """Unique GUIDs like the platform's (five random lowercase letters and digits: `2cf6p`),
    from a fixed seed. Sequential ones (`g000001`) share most trigrams, which no real fleet does,
    and would defeat the search's trigram indexes."""
    rng = random.Random(20000)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    guids: dict[str, None] = {}
    while len(guids) < n:
        guids["".join(rng.choices(alphabet, k=5))] = None
    return list(guids)


def request_ms(
    client: Any, path: str, audience: Any, cold: bool = False, **headers: str
) -> tuple[float, float]:
    """Wall time and this process's CPU time of one request (the CPU time is the figure a loaded
    machine disturbs least: it leaves out the waits for PostgreSQL and for a core). Untimed first: `cold` drops the cached fleet snapshots;
    otherwise the snapshot of the viewer's audience is filled, as any earlier page view or write
    would have (a cold request of the previous page in the round must not leave the next "cached"
    one cold)."""
    from dashboard.fleet import fleet_counts, fleet_forget, fleet_parts

    if cold:
        fleet_forget()
    else:
        fleet_counts(audience)
        fleet_parts(audience)
    started, started_cpu = time.perf_counter(), time.process_time()
    response = client.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    elapsed_cpu = (time.process_time() - started_cpu) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed, elapsed_cpu


def team_member(team: str = "team-6") -> Any:
    """A member of one team among the ten (5 catalog items, 2,000 labs). Team 6's labs are half
    ready, half failed; team 3's are all ready, so that the labs table, worst first, passes over
    every other team's labs that are not ready before it finds one of theirs."""
    from django.contrib.auth import get_user_model

    from labs.models import Team

    member, _ = get_user_model().objects.get_or_create(username=f"{MEMBER}-{team}")
    Team.objects.get(name=team).members.add(member)
    return member


def searched_guid() -> str:
    from labs.models import LabInstance

    return str(LabInstance.objects.order_by("pk").values_list("guid", flat=True)[1234])


def server_times(runs: int) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from labs.selectors import OPERATORS, audience_of

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    viewers = {}
    for team_name in ("team-6", "team-3"):
        member = team_member(team_name)
        viewer = Client()
        viewer.force_login(member)
        viewers[team_name] = (viewer, audience_of(member))
        assert not viewers[team_name][1].everything
    htmx = {"HX-Request": "true"}
    ops, mine, ready = (client, OPERATORS), viewers["team-6"], viewers["team-3"]
    pages: dict[str, tuple[tuple[Any, Any], str, dict[str, Any]]] = {
        "trivial logged-in page (baseline)": (ops, "/bench/trivial", {}),
        "fleet overview": (ops, "/", {}),
        "fleet overview, counts not cached": (ops, "/", {"cold": True}),
        "labs table, full page": (ops, "/labs/", {}),
        "labs table, full page, counts not cached": (ops, "/labs/", {"cold": True}),
        "labs table, htmx fragment sorted by status": (ops, "/labs/?sort=-status", htmx),
        "labs table, filtered (cluster + status)": (
            ops,
            "/labs/?cluster=ocp-16&status=failed",
            {},
        ),
        "labs table, filtered by catalog item": (ops, "/labs/?catalog_item=item-7", {}),
        "labs table, page 3 sorted by cluster": (ops, "/labs/?sort=cluster&page=3", {}),
        "labs table, search by GUID": (ops, f"/labs/?q={searched_guid()}", {}),
        "team member: fleet overview": (mine, "/", {}),
        "team member: labs table, full page": (mine, "/labs/", {}),
        "team member, all labs ready: fleet overview": (ready, "/", {}),
        "team member, all labs ready: labs table": (ready, "/labs/", {}),
    }
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        timings: dict[str, list[float]] = {name: [] for name in pages}
        cpu_timings: dict[str, list[float]] = {name: [] for name in pages}
        # Round-robin, so that the machine's load varies alike for every page (1st round: warm-up).
        for round_ in range(runs + 1):
            for name, ((viewer, audience), path, headers) in pages.items():
                elapsed, elapsed_cpu = request_ms(viewer, path, audience, **headers)
                if round_:
                    timings[name].append(elapsed)
                    cpu_timings[name].append(elapsed_cpu)
        results = {name: statistics.median(values) for name, values in timings.items()}
        cpu_results = {name: statistics.median(values) for name, values in cpu_timings.items()}
        rendering = table_render_ms(client, runs)
    baseline = results["trivial logged-in page (baseline)"]
    cpu_baseline = cpu_results["trivial logged-in page (baseline)"]
    print(f"\nServer time, median of {runs} rounds of requests (in-process Django test client);")
    print("wall time, then this process's CPU time (what a loaded machine disturbs least):")
    for name, ms in results.items():
        cpu = cpu_results[name]
        print(
            f"  {name:44s} {ms:8.1f} ms  {ms / baseline:5.2f}x"
            f"   cpu {cpu:7.1f} ms  {cpu / cpu_baseline:5.2f}x"
        )
    print("\nLabs table rendering alone (no query; CPU time), median of rounds of 20 renderings:")
    for name, ms in rendering.items():
        print(f"  {name:44s} {ms:8.3f} ms")


def table_render_ms(client: Any, runs: int) -> dict[str, float]:
    """The labs table's rendering alone: the context of a real request (its rows read and named
    by the view, so rendering runs no query: asserted), rendered again and again: the header with
    its sort links, 50 rows, the page links and the filter controls (a catalog item selected)."""
    import importlib

    from django.db import connection
    from django.http import HttpResponse
    from django.template import Context, Template
    from django.test.utils import CaptureQueriesContext

    views_module = importlib.import_module(VIEWS_MODULE)
    captured: dict[str, Any] = {}

    def capture(request: Any, template_name: str, context: dict[str, Any]) -> HttpResponse:
        captured.update(context)
        return HttpResponse()

    template = Template(
        "{% load stargate_extras %}{% filter_controls filter %}"
        f"{{% include '{TABLE_TEMPLATE}' %}}"
    )
    views = {
        "labs table rendering, sorted by status": "/labs/?sort=-status&page=2",
        "labs table rendering, filtered by catalog item": "/labs/?catalog_item=item-7",
    }
    timings: dict[str, list[float]] = {name: [] for name in views}
    for round_ in range(runs + 1):
        for name, path in views.items():
            views_module.render, original = capture, views_module.render
            try:
                client.get(path)
            finally:
                views_module.render = original
            context = Context({"filter": captured["filter"], "table": captured["table"]})
            with CaptureQueriesContext(connection) as queries:
                started = time.process_time()  # CPU time: rendering waits for nothing
                for _ in range(20):
                    html = template.render(context)
                elapsed = (time.process_time() - started) * 1000 / 20
            assert not queries.captured_queries, queries.captured_queries
            assert html.count('id="lab-row-') == 50, name
            if round_:
                timings[name].append(elapsed)
    return {name: statistics.median(values) for name, values in timings.items()}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def embedded_latency(samples: int, data_dir: Path) -> None:
    """The same measure in the embedded mode: SQLite, in-memory layer, a worker process whose
    verdicts reach the browser through the web process's LiveEvent relay."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    env = {k: v for k, v in os.environ.items() if not k.startswith(("STARGATE_", "DJANGO_ALLOW"))}
    env["STARGATE_DATA_DIR"] = str(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    driver = [sys.executable, "-m", "dashboard.tests.live_driver"]
    seeded = (data_dir / "stargate.sqlite3").exists()
    # Migrate every time: a database left by an older checkout gets the current schema.
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    if not seeded:
        subprocess.run([*driver, "seed"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [*DAPHNE, "-p", str(port), "stargate.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    namespace = "sandbox-1000x-ocp4-gitops"
    worker = subprocess.Popen(
        [*driver, "flip_loop", namespace],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    latencies: list[float] = []
    try:
        _wait_for_port(port)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.add_init_script(
                "document.addEventListener('htmx:wsOpen', () => { window.wsOpen = true })"
            )
            page.goto(f"http://127.0.0.1:{port}/accounts/login/?next=/labs/?cluster=ocp-east-1")
            page.fill("#id_login", "admin")
            page.fill("#id_password", "correct-horse-battery-staple")
            page.click("#local-login")
            page.wait_for_function("() => window.wsOpen === true", timeout=10000)
            row = page.locator("#lab-table tbody tr", has_text=namespace).get_attribute("id")
            assert worker.stdin is not None and worker.stdout is not None
            for n in range(samples):
                page.evaluate(WATCH, [row, "Failed" if n % 2 == 0 else "Ready"])
                # Changes arrive at random moments of the relay's poll cycle, not right after one.
                time.sleep(random.uniform(0, 0.5))
                worker.stdin.write("flip\n")
                worker.stdin.flush()
                committed = float(worker.stdout.readline())
                page.wait_for_function("() => window.seenAt", timeout=5000)
                latencies.append(page.evaluate("() => window.seenAt") - committed)
            browser.close()
    finally:
        worker.kill()
        server.terminate()
        server.wait(timeout=10)
    report("embedded: in-memory layer + LiveEvent relay, SQLite", latencies)


def report(mode: str, latencies: list[float]) -> None:
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(f"\nLive update, commit -> DOM change in Chromium ({mode}, {len(latencies)} samples):")
    print(f"  median {statistics.median(latencies):6.1f} ms   p95 {p95:6.1f} ms")


def live_latency(samples: int) -> None:
    from django.db import connections, transaction
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from dashboard.tests.live_driver import crashing_evidence, healthy_evidence
    from labs.models import LabInstance
    from rubrics_app.services import lab_instance_evaluate
    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    port = free_port()
    server = subprocess.Popen(
        [*DAPHNE, "-p", str(port), "stargate.asgi:application"],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    instance = (
        LabInstance.objects.select_related("lab", "cluster")
        .order_by("cluster_id", "namespace")
        .first()
    )
    latencies: list[float] = []

    def flip(broken: bool) -> float:
        """Record a verdict; returns the commit time (ms since the epoch)."""
        committed: list[float] = []
        evidence = crashing_evidence() if broken else healthy_evidence()
        with transaction.atomic():
            transaction.on_commit(lambda: committed.append(time.time() * 1000))
            lab_instance_evaluate(lab_instance=instance, evidence=evidence, now=timezone.now())
        connections.close_all()
        return committed[0]

    try:
        _wait_for_port(port)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.add_init_script(
                "document.addEventListener('htmx:wsOpen', () => { window.wsOpen = true })"
            )
            page.goto(f"{url}/accounts/login/?next=/labs/")
            page.fill("#id_login", "bench")
            page.fill("#id_password", "bench-password")
            page.click("#local-login")
            page.wait_for_function("() => window.wsOpen === true", timeout=10000)
            row = f"lab-row-{instance.pk}"
            with ThreadPoolExecutor(1) as pool:
                for n in range(samples):
                    broken = n % 2 == 0
                    page.evaluate(WATCH, [row, "Failed" if broken else "Ready"])
                    committed = pool.submit(flip, broken).result()
                    page.wait_for_function("() => window.seenAt", timeout=5000)
                    latencies.append(page.evaluate("() => window.seenAt") - committed)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    report("production: Redis layer, PostgreSQL, 20,000 labs", latencies)


WATCH = """([id, text]) => {
    window.seenAt = null;
    const check = () => {
        const el = document.getElementById(id);
        if (el && el.textContent.includes(text)) { window.seenAt = Date.now(); obs.disconnect(); }
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("Daphne did not start")


def trivial(request: Any) -> Any:
    from django.shortcuts import render

    return render(request, "base.html", {})


def _urlpatterns() -> list[Any]:
    from django.urls import path

    from stargate.urls import urlpatterns as app_patterns

    return [path("bench/trivial", trivial), *app_patterns]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labs", type=int, default=20000)
    parser.add_argument("--changes", type=int, default=200000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--server-only", action="store_true", help="skip the live latencies")
    args = parser.parse_args()
    if not os.environ.get("STARGATE_REDIS_URL"):
        sys.exit("Set STARGATE_REDIS_URL: the latency is measured on the Redis channel layer.")
    ensure_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    seed(args.labs, args.changes)
    from django.db import connection

    with connection.cursor() as cursor:
        # After the bulk load, what autovacuum gives a running fleet: planner statistics, and the
        # visibility map that lets PostgreSQL answer counts from an index.
        cursor.execute("VACUUM ANALYZE")
    global urlpatterns
    urlpatterns = _urlpatterns()
    server_times(args.runs)
    if args.server_only:
        return
    live_latency(args.samples)
    embedded_latency(args.samples, Path(tempfile.gettempdir()) / "stargate_bench_embedded")


urlpatterns: list[Any] = []

if __name__ == "__main__":
    main()
