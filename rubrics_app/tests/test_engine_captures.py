"""Acceptance on the real captures (issue 5)."""

from __future__ import annotations

from datetime import datetime

import pytest

from rubrics_app.capture_evidence import evidence_from_folder
from rubrics_app.engine import evaluate
from rubrics_app.outcomes import Outcome, PreviousState

# The captures were taken around these times; the clock is an input to the engine.
OC_NOW = datetime.fromisoformat("2026-05-05T15:20:00+00:00")
LIVE_NOW = datetime.fromisoformat("2026-05-07T00:00:00+00:00")
INFRA01 = [
    "aap2-prod0",
    "babylon-sandbox-api",
    "ccm-monitoring",
    "cost-monitor",
    "ocp-portal",
    "parsec",
    "rcars-prod",
]


def _evaluate(captures, folder, rubric_set, now, **lab):
    evidence = evidence_from_folder(captures / folder)
    evidence["lab"] = lab
    return evaluate(evidence, rubric_set, now)


def test_it_finds_live_cnv_at_worst_warn_on_vm_runtime_ready(captures, rubric_set):
    result = _evaluate(captures, "live-cnv", rubric_set, LIVE_NOW)
    vm = result.rubric("vm-runtime-ready")
    assert (vm.outcome, vm.failure_class) == (Outcome.WARN, "guest-agent-missing")
    assert result.status == Outcome.WARN


def test_it_fails_live_cnv_when_the_lab_requires_the_guest_agent(captures, rubric_set):
    result = _evaluate(captures, "live-cnv", rubric_set, LIVE_NOW, requires_guest_agent=True)
    assert result.rubric("vm-runtime-ready").outcome == Outcome.FAILED


@pytest.mark.parametrize("namespace", INFRA01)
def test_it_never_fails_infra01_for_completed_builds_or_old_cronjob_runs(
    captures, rubric_set, namespace
):
    result = _evaluate(captures, f"live-infra01/{namespace}", rubric_set, LIVE_NOW)
    for rubric in result.rubrics:
        if rubric.outcome == Outcome.FAILED:
            assert rubric.failure_class not in ("job-run-failed", "stray-pod-failing")
            assert not rubric.object_ref.startswith(("Pod/", "CronJob/", "BuildConfig/"))


@pytest.mark.parametrize("namespace", ["babylon-sandbox-api", "parsec", "rcars-prod"])
def test_it_keeps_namespaces_full_of_builds_and_cronjobs_out_of_failed(
    captures, rubric_set, namespace
):
    result = _evaluate(captures, f"live-infra01/{namespace}", rubric_set, LIVE_NOW)
    assert result.status in (Outcome.READY, Outcome.WARN)


def test_it_warns_about_a_cronjob_whose_latest_run_failed(captures, rubric_set):
    result = _evaluate(captures, "live-infra01/ccm-monitoring", rubric_set, LIVE_NOW)
    rubric = result.rubric("namespace-ready")
    assert (rubric.outcome, rubric.failure_class) == (Outcome.WARN, "job-run-failed")
    assert rubric.object_ref == "CronJob/ccm-monitoring-push"


@pytest.mark.parametrize(
    ("namespace", "pod"), [("aap2-prod0", "image-debug-p44ls"), ("ocp-portal", "op-which")]
)
def test_it_reports_the_stray_image_pull_pod_with_its_class(captures, rubric_set, namespace, pod):
    result = _evaluate(captures, f"live-infra01/{namespace}", rubric_set, LIVE_NOW)
    rubric = result.rubric("namespace-ready")
    assert (rubric.failure_class, rubric.object_ref) == ("image-pull-failed", f"Pod/{pod}")
    assert rubric.outcome == Outcome.WARN
    assert rubric.fingerprint


def test_it_fails_the_unhealthy_deployment_with_a_crashloop_class(captures, rubric_set):
    result = _evaluate(captures, "oc/unhealthy", rubric_set, OC_NOW)
    rubric = result.rubric("deployment-ready")
    assert (rubric.outcome, rubric.failure_class) == (Outcome.FAILED, "crashloop")
    assert rubric.object_ref == "Deployment/demo-app"
    assert result.status == Outcome.FAILED
    assert result.failure_class == "crashloop"


def test_it_finds_the_healthy_app_ready(captures, rubric_set):
    result = _evaluate(captures, "oc/healthy", rubric_set, OC_NOW)
    assert result.status == Outcome.READY
    assert result.rubric("deployment-ready").outcome == Outcome.READY


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-05-05T15:10:00+00:00", Outcome.PROGRESSING),
        ("2026-05-05T15:40:00+00:00", Outcome.FAILED),
    ],
)
def test_it_times_the_unhealthy_vm_against_its_grace_window(captures, rubric_set, now, expected):
    result = _evaluate(captures, "oc/vm-unhealthy", rubric_set, datetime.fromisoformat(now))
    assert result.rubric("vm-runtime-ready").outcome == expected
    assert result.status == expected


def test_it_classes_the_timed_out_vm_and_stalled_clone(captures, rubric_set):
    evidence = evidence_from_folder(captures / "oc/vm-unhealthy")
    first = evaluate(evidence, rubric_set, datetime.fromisoformat("2026-05-05T15:05:00+00:00"))
    now = datetime.fromisoformat("2026-05-05T15:40:00+00:00")
    result = evaluate(evidence, rubric_set, now, PreviousState(first.seen))
    assert result.rubric("vm-runtime-ready").failure_class == "vm-boot-timeout"
    storage = result.rubric("storage-clone-ready")
    assert (storage.failure_class, storage.object_ref) == (
        "storage-clone-stalled",
        "DataVolume/demo-vm-rootdisk",
    )


def test_it_never_calls_an_import_stalled_on_first_sight(captures, rubric_set):
    """Its Ready went False 45 minutes ago at 23.4 %: one snapshot cannot show a stall."""
    now = datetime.fromisoformat("2026-05-05T15:46:00+00:00")
    result = _evaluate(captures, "oc/vm-unhealthy", rubric_set, now)
    storage = result.rubric("storage-clone-ready")
    datavolumes = storage.criteria[0]
    assert (datavolumes.id, datavolumes.outcome) == ("datavolumes-succeeded", Outcome.PROGRESSING)
    assert storage.failure_class != "storage-clone-stalled"


def test_it_finds_the_healthy_vm_ready(captures, rubric_set):
    result = _evaluate(captures, "oc/vm-healthy", rubric_set, OC_NOW)
    assert result.status == Outcome.READY
    assert result.rubric("vm-runtime-ready").outcome == Outcome.READY


def test_it_fails_the_unhealthy_model_endpoint(captures, rubric_set):
    result = _evaluate(captures, "oc/model-unhealthy", rubric_set, OC_NOW)
    rubric = result.rubric("model-endpoint-ready")
    assert (rubric.outcome, rubric.failure_class) == (Outcome.FAILED, "model-load-failed")


def test_it_finds_the_healthy_model_endpoint_ready(captures, rubric_set):
    result = _evaluate(captures, "oc/model-healthy", rubric_set, OC_NOW)
    assert result.rubric("model-endpoint-ready").outcome == Outcome.READY
    assert result.status == Outcome.READY
