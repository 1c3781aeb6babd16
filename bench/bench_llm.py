"""Benchmark: LLM classification's pipeline overhead and model calls, through the simulated LLM.

1,000 failing labs (default) share 10 root causes no rubric rule knows: each lab's verdict falls
to the rubric's default class, a candidate. The bench then

1. classifies every candidate in runs of `STARGATE_LLM_CLASSIFY_MAX_PER_RUN` (20), as the queued
   task and the sweep do (`candidates_batch`: signatures, evidence bundles, cache, gate,
   proposals) against the simulated LLM at zero latency, so what is timed is the pipeline, not a
   model: wall time per candidate (each run's time over its candidates), overall and split into
   runs with a model call (HTTP on loopback through LiteLLM included) and runs answered from the
   cache, this process's CPU time, and SQL statements; target ≤ 20 ms per candidate. Model
   calls: one per root cause;
2. accepts one proposal per root cause (the review applies to every lab with that signature),
   makes it a rule, replays and switches it on;
3. rescans every lab: the active rules classify every failure, so there is no candidate and
   the model is called 0 times.

The pod log tail (a kubernetes read per candidate) is left out: these labs have no cluster.

    STARGATE_DATABASE_URL=postgres://... .venv/bin/python bench/bench_llm.py [--labs 1000]

It uses its own database (the URL's name + "_bench"), emptied of these labs at each run.
`rubrics_app/tests/test_bench_llm.py` runs the same scenario and asserts the call counts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_MS = 20.0
CAUSES = (
    "KeyringLocked",
    "LicenseExpired",
    "QuotaTokenRevoked",
    "SidecarVersionSkew",
    "CertChainIncomplete",
    "DnsSearchLoop",
    "FeatureGateOff",
    "LdapBindRefused",
    "ClockSkewDetected",
    "MeshPolicyDenied",
)
CLUSTERS = 10
T0 = datetime(2026, 5, 5, 15, 0, tzinfo=UTC)


@dataclass
class Figures:
    labs: int
    causes: int
    candidates: int = 0
    model_calls: int = 0
    proposals: int = 0
    per_candidate_ms: list[float] = field(default_factory=list)
    call_ms: list[float] = field(default_factory=list)  # candidates that called the model
    hit_ms: list[float] = field(default_factory=list)  # candidates answered from the cache
    queries: list[float] = field(default_factory=list)  # SQL statements per candidate
    cpu_ms: list[float] = field(default_factory=list)  # this process's CPU time per candidate
    rules_active: int = 0
    rescan_candidates: int = -1
    rescan_model_calls: int = -1

    def lines(self) -> list[str]:
        def ms(values: list[float]) -> str:
            if not values:
                return "-"
            p95 = sorted(values)[max(0, int(len(values) * 0.95) - 1)]
            return f"mean {statistics.fmean(values):.2f} ms, p95 {p95:.2f} ms (runs={len(values)})"

        return [
            f"{self.labs} failing labs, {self.causes} root causes: {self.candidates} candidates",
            f"first pass: {self.model_calls} model calls, {self.proposals} proposals",
            f"pipeline per candidate: {ms(self.per_candidate_ms)} (target <= {TARGET_MS:.0f} ms)",
            f"  with a model call (simulated, zero latency): {ms(self.call_ms)}",
            f"  from the cache: {ms(self.hit_ms)}",
            f"  this process's CPU per candidate: {ms(self.cpu_ms)}",
            f"SQL statements per candidate: mean {statistics.fmean(self.queries or [0]):.1f}",
            f"{self.rules_active} rules promoted and active",
            f"rescan: {self.rescan_candidates} candidates, {self.rescan_model_calls} model calls",
        ]


def lab_evidence(namespace: str, cluster: str, cause: str, attempt: int) -> dict[str, Any]:
    """A Deployment whose pod failed for `cause`, a reason no rubric rule knows; the message
    names the lab and a count, which the failure signature leaves out."""
    from rubrics_app.tests.builders import deployment, evidence, pod

    failed = pod("web-1", last=cause, phase="Failed", reason=cause)
    failed["status"]["message"] = f"container in {namespace} stopped: {cause} after {attempt} tries"
    ev: dict[str, Any] = dict(evidence(deployments=[deployment(available=0)], pods=[failed]))
    ev["cluster"], ev["namespace"] = cluster, namespace
    ev["namespace_object"]["metadata"]["name"] = namespace
    return ev


def seed(labs: int, causes: int) -> list[tuple[Any, dict[str, Any]]]:
    """The labs and their evidence (stored as the scanner stores it)."""
    from labs.models import Cluster, Lab, LabInstance
    from scanning.models import LabEvidence

    clusters = [
        Cluster.objects.create(name=f"bench-{c:02d}", api_url=f"https://api.b{c}.example.com:6443")
        for c in range(CLUSTERS)
    ]
    items = [Lab.objects.create(catalog_item=f"bench-item-{i}") for i in range(causes)]
    instances = LabInstance.objects.bulk_create(
        LabInstance(
            cluster=clusters[i % CLUSTERS],
            lab=items[i % causes],
            namespace=f"sandbox-b{i:05d}-bench",
            guid=f"b{i:05d}",
        )
        for i in range(labs)
    )
    pairs = [
        (
            lab,
            lab_evidence(lab.namespace, clusters[i % CLUSTERS].name, CAUSES[i % causes], i % 7 + 1),
        )
        for i, lab in enumerate(instances)
    ]
    LabEvidence.objects.bulk_create(
        LabEvidence(
            lab_instance=lab, evidence=ev, content_hash=str(i), collected_at=T0, changed_at=T0
        )
        for i, (lab, ev) in enumerate(pairs)
    )
    return pairs


def scan(pairs: list[tuple[Any, dict[str, Any]]], now: datetime) -> None:
    """What the scanner does after collecting, in batches of 200 (the classification task it
    queues on commit is not run: the bench runs the pipeline itself)."""
    from django.test.utils import override_settings

    from rubrics_app.services import lab_instances_evaluate

    with override_settings(LLM_API_BASE=""):  # nothing queued: the bench times it below
        for start in range(0, len(pairs), 200):
            lab_instances_evaluate(items=pairs[start : start + 200], now=now)


def promote_all(figures: Figures) -> None:
    """One accepted proposal per root cause, made a rule, replayed, switched on."""
    from django.contrib.auth.models import User

    from rubrics_app.classification import proposals as review
    from rubrics_app.classification import rules as promotion
    from rubrics_app.models import ClassificationProposal

    user, _ = User.objects.get_or_create(username="bench-reviewer")
    seen: set[str] = set()
    for proposal in ClassificationProposal.objects.order_by("pk"):
        if proposal.signature in seen:
            continue
        seen.add(proposal.signature)
        review.proposal_accept(proposal=proposal, reviewer=user, reason="bench: as proposed")
        proposal.refresh_from_db()
        draft = promotion.rule_draft_for(proposal)  # one rule per cause, whatever its class
        draft = replace(draft, rule_id=f"{draft.rule_id[:90]}-{len(seen)}")
        rule = promotion.rule_promote(proposal=proposal, draft=draft, user=user)
        promotion.rule_replay(rule=rule)
        promotion.rule_activate(rule=rule)
        figures.rules_active += 1


def run(labs: int = 1000, causes: int = 10, calls: Callable[[], int] | None = None) -> Figures:
    """The scenario on the configured database and LLM endpoint (settings); `calls` counts the
    requests the endpoint received (default: `LLMCall` rows)."""
    from django.conf import settings
    from django.db import connection

    from rubrics_app.classification.candidates import candidate_verdicts, candidates_batch
    from rubrics_app.llm.client import litellm_module
    from rubrics_app.models import ClassificationProposal, LLMCall

    litellm_module()  # its import, once per process (seconds), is no candidate's cost
    count = calls or LLMCall.objects.count
    figures = Figures(labs=labs, causes=causes)
    pairs = seed(labs, causes)
    scan(pairs, T0 + timedelta(minutes=30))
    verdicts = list(candidate_verdicts())
    figures.candidates = len(verdicts)
    before = count()
    no_logs: Callable[..., dict[str, str]] = lambda *_: {}  # noqa: E731
    statements = [0]

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    per_run = settings.LLM_CLASSIFY_MAX_PER_RUN  # as the queued task and the sweep run them
    for start_at in range(0, len(verdicts), per_run):
        batch = verdicts[start_at : start_at + per_run]
        asked, statements[0] = count(), 0
        start, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(counted):
            candidates_batch(batch, no_logs)
        elapsed = (time.perf_counter() - start) * 1000 / len(batch)
        figures.cpu_ms.append((time.process_time() - cpu) * 1000 / len(batch))
        figures.queries.append(statements[0] / len(batch))
        figures.per_candidate_ms.append(elapsed)
        (figures.call_ms if count() > asked else figures.hit_ms).append(elapsed)
    figures.model_calls = count() - before
    figures.proposals = ClassificationProposal.objects.count()
    promote_all(figures)
    before = count()
    scan(pairs, T0 + timedelta(minutes=45))
    figures.rescan_candidates = candidate_verdicts().count()
    candidates_batch(list(candidate_verdicts()), no_logs)
    figures.rescan_model_calls = count() - before
    return figures


@contextmanager
def simulated_llm() -> Iterator[Any]:
    """The simulated endpoint at zero latency, configured as StarGate's."""
    from django.test.utils import override_settings

    from simulator.llm import LLMSimulator

    with (
        LLMSimulator(api_key="bench-key") as llm,
        override_settings(
            LLM_API_BASE=llm.url,
            LLM_API_KEY="bench-key",
            LLM_RETRY_BACKOFF_SECONDS=0.01,
            LLM_CALLS_PER_HOUR=0,
        ),
    ):
        yield llm


def _django(url: str) -> None:
    bench = url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1].split("?")[0] + "_llm_bench"
    os.environ["STARGATE_DATABASE_URL"] = bench
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stargate.settings")
    sys.path.insert(0, str(ROOT / "bench"))
    import benchdb
    import django
    from django.core.management import call_command

    benchdb.ensure_database(bench)
    django.setup()
    call_command("migrate", verbosity=0)
    _empty()


def _empty() -> None:
    from labs.models import Cluster, Lab
    from rubrics_app.models import ClassificationRule, LLMCacheEntry, LLMCall

    Cluster.objects.filter(name__startswith="bench-").delete()
    Lab.objects.filter(catalog_item__startswith="bench-item-").delete()
    ClassificationRule.objects.all().delete()
    LLMCacheEntry.objects.all().delete()
    LLMCall.objects.all().delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--labs", type=int, default=1000)
    parser.add_argument("--causes", type=int, default=len(CAUSES), choices=range(1, 11))
    args = parser.parse_args()
    _django(os.environ.get("STARGATE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stargate"))
    with simulated_llm() as llm:
        figures = run(args.labs, args.causes, calls=lambda: len(llm.requests))
    _empty()
    for line in figures.lines():
        print(line)
    mean = statistics.fmean(figures.per_candidate_ms) if figures.per_candidate_ms else 0.0
    ok = (
        mean <= TARGET_MS
        and figures.model_calls <= figures.causes
        and figures.rescan_model_calls == 0
    )
    print("OK" if ok else "OVER TARGET")


if __name__ == "__main__":
    main()
