"""The collectors' facts in the investigation and the evidence bundle: the pool, automation-job,
session and smoke-test tools (structured, confined to the lab, redacted, capped), the bundle's
sections (bounded, delimited, in the digest), and a secret planted in an AAP job's error that
never reaches the simulated LLM's recorded requests."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from collectors.models import AapJob, PoolSnapshot
from labs.models import LabInstance
from rubrics_app.classification.bundle import MAX_SECTION_CHARS, evidence_bundle
from rubrics_app.classification.candidates import candidates_classify
from rubrics_app.investigation.agent import investigation_execute
from rubrics_app.investigation.services import investigation_request
from rubrics_app.investigation.tools import ToolContext, tool_run
from rubrics_app.models import Evaluation, InvestigationRun, LLMCall
from scanning.models import LabEvidence
from simulator.llm import FACT_TOOLS
from simulator.tests.conftest import simulator_server  # noqa: F401

from .classification_fixtures import SECRET
from .collected_fixtures import JOB_ERROR, POOL, lab_facts
from .investigation_fixtures import failed_lab, log_cluster, unreachable_cluster


def _tool(lab: LabInstance, name: str) -> Any:
    ctx = ToolContext(lab=lab, evidence={}, read_log=lambda *a: "")
    text = tool_run(ctx, name, {}, 3000)
    return json.loads(text) if text.startswith(("{", "[")) else text


def test_the_fact_tools_read_the_labs_pool_jobs_sessions_and_smoke_tests(db: None) -> None:
    lab = failed_lab(unreachable_cluster())
    lab_facts(lab)
    pool = _tool(lab, "pool_status")
    assert (pool["pool"], pool["available"], pool["min_available"]) == (POOL, 0, 2)
    assert pool["status"] == "exhausted" and pool["max_unready"] == 4
    assert [r["available"] for r in pool["recent"]] == [0, 2, 3]
    assert pool["velocity"]["trend"] == "depleting"
    jobs = _tool(lab, "automation_jobs")
    assert jobs["failed"] == 1 and "deploy operator" in jobs["jobs"][0]["failing_task"]
    assert "login to registry failed" in jobs["top_error"]
    assert SECRET not in json.dumps(jobs) and "unrelated" not in json.dumps(jobs)
    sessions = _tool(lab, "lab_sessions")
    assert [(s["name"], s["running"], s["attendees"]) for s in sessions] == [
        ("Summit workshop", True, 40),
        ("Partner training", False, 12),
    ]
    smoke = _tool(lab, "smoke_tests")
    assert smoke[0]["passed"] is False and "terminal did not open" in smoke[0]["error_summary"]


def test_without_collected_facts_each_tool_says_so(db: None) -> None:
    lab = failed_lab(unreachable_cluster())
    assert _tool(lab, "pool_status") == "no pool is known for this lab's catalog item"
    assert "no failed automation job" in _tool(lab, "automation_jobs")
    assert "no session" in _tool(lab, "lab_sessions")
    assert "no smoke-test result" in _tool(lab, "smoke_tests")


def test_a_job_of_the_catalog_item_counts_without_a_lab_code(db: None) -> None:
    lab = failed_lab(unreachable_cluster())
    AapJob.objects.create(
        controller="aap-1",
        job_id=7,
        name="ocp4-cluster.prod provision",
        status="failed",
        catalog_item="ocp4-cluster",
        failing_task="wait for cluster",
        error="timeout",
        finished=timezone.now() - timedelta(hours=3),
    )
    AapJob.objects.create(  # too old: outside the 2 days
        controller="aap-1",
        job_id=8,
        name="ocp4-cluster.prod provision",
        status="failed",
        catalog_item="ocp4-cluster",
        error="old",
        finished=timezone.now() - timedelta(days=3),
    )
    jobs = _tool(lab, "automation_jobs")
    assert jobs["failed"] == 1 and jobs["top_error"] == "timeout"


def test_a_lab_code_in_the_namespace_finds_its_jobs(db: None) -> None:
    lab = failed_lab(unreachable_cluster())
    LabInstance.objects.filter(pk=lab.pk).update(namespace="sandbox-lb0042-x")
    lab.refresh_from_db()
    AapJob.objects.create(
        controller="aap-1",
        job_id=9,
        name="summit.lb0042-ai provision",
        status="failed",
        lab_code="LB0042",
        catalog_item="summit.lb0042-ai",
        error="quota exceeded",
        finished=timezone.now(),
    )
    assert _tool(lab, "automation_jobs")["top_error"] == "quota exceeded"


def _bundle(lab: LabInstance) -> dict[str, Any]:
    evaluation = Evaluation.objects.filter(lab_instance=lab, outcome="failed").first()
    assert evaluation is not None
    return evidence_bundle(evaluation, LabEvidence.objects.get(lab_instance=lab).evidence)


def test_the_bundle_has_the_collected_sections_bounded_and_redacted(db: None) -> None:
    lab = failed_lab(unreachable_cluster())
    assert not {"automation_jobs", "pool", "sessions", "smoke_tests"} & set(_bundle(lab))
    lab_facts(lab)
    for number in range(30):  # many long errors: the section stays within its cap
        AapJob.objects.create(
            controller="aap-2",
            job_id=1000 + number,
            name="x" * 400,
            status="failed",
            lab_code="LB1234",
            failing_task="t" * 400,
            error=f"e{number} " + "y" * 390,
            finished=timezone.now() - timedelta(minutes=number),
        )
    bundle = _bundle(lab)
    assert {"automation_jobs", "pool", "sessions", "smoke_tests"} <= set(bundle)
    for name in ("automation_jobs", "pool", "sessions", "smoke_tests"):
        assert len(json.dumps(bundle[name])) <= MAX_SECTION_CHARS + 20
    assert bundle["pool"]["available"] == 0 and bundle["sessions"][0]["attendees"] == 40
    assert len(bundle["automation_jobs"]["jobs"]) == 3
    assert SECRET not in json.dumps(bundle)


@pytest.mark.smoke
def test_a_secret_in_an_aap_job_error_never_reaches_the_model(db: None, llm: Any) -> None:
    lab = failed_lab(unreachable_cluster())
    lab_facts(lab)
    AapJob.objects.filter(job_id=101).update(error=JOB_ERROR)  # as stored, unmasked
    assert candidates_classify(log_tail=lambda lab, ev: {}) >= 1
    sent = "".join(str(m.get("content")) for r in llm.requests for m in r.body["messages"])
    assert '<user-data name="evidence">' in sent and "login to registry failed" in sent
    assert '"automation_jobs": ' in sent and '"smoke_tests": ' in sent
    assert SECRET not in sent and SECRET not in llm.received_text()


def test_the_pool_section_is_in_the_bundle_digest(db: None, llm: Any) -> None:
    lab = failed_lab(unreachable_cluster())
    lab_facts(lab)
    run_one = investigation_request(lab=lab, user=None)
    investigation_execute(run_one.pk, read_log=lambda *a: "")
    PoolSnapshot.objects.create(
        pool_name=POOL, available=5, min_available=2, catalog_item=lab.lab.catalog_item
    )
    run_two = investigation_request(lab=lab, user=None)
    investigation_execute(run_two.pk, read_log=lambda *a: "")
    first = LLMCall.objects.filter(fingerprint=f"investigation-{run_one.pk}").earliest("pk")
    second = LLMCall.objects.filter(fingerprint=f"investigation-{run_two.pk}").earliest("pk")
    assert first.bundle_digest != second.bundle_digest


@pytest.mark.smoke
def test_the_agent_reads_the_facts_first_in_one_step_then_its_other_tools(
    db: None,
    llm: Any,
    simulator_server: Any,  # noqa: F811
) -> None:
    lab = failed_lab(log_cluster(simulator_server, "boot\nfatal: keyring locked\n"))
    lab_facts(lab)
    run = investigation_request(lab=lab, user=None)
    investigation_execute(run.pk)
    run = InvestigationRun.objects.get(pk=run.pk)
    steps = list(run.steps.order_by("number", "pk"))
    first = [s.tool for s in steps if s.number == 1]
    assert first == [n for n in FACT_TOOLS if n in first] and set(first) == set(FACT_TOOLS)
    assert run.status == "complete" and run.steps_taken <= 8 and steps[-1].kind == "answer"
    pool = next(s for s in steps if s.tool == "pool_status")
    assert '"status": "exhausted"' in pool.output and not pool.failed
    assert {s.tool for s in steps if s.kind == "tool"} >= {"pod_log_tail", "sibling_diff"}
    stored = "".join(s.output for s in steps) + run.root_cause
    assert SECRET not in stored and SECRET not in llm.received_text()
