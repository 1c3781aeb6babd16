from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rubrics_app.semantics.common import Health
from rubrics_app.semantics.pods import current_runs, pod_health, pod_role, superseded_runs

from .captured import items, one

NOW = datetime(2026, 5, 7, tzinfo=UTC)


def _pod(waiting: str = "", phase: str = "Running", last: str = "", **status: object) -> dict:
    container: dict = {"name": "c", "state": {"running": {}}}
    if waiting:
        container["state"] = {"waiting": {"reason": waiting}}
    if last:
        container["lastState"] = {"terminated": {"reason": last}}
    return {
        "kind": "Pod",
        "metadata": {"name": "p", "creationTimestamp": "2026-05-06T00:00:00Z"},
        "status": {"phase": phase, "containerStatuses": [container], **status},
    }


def test_it_fails_the_crashlooping_capture(captures):
    result = pod_health(one(captures, "oc/unhealthy/pods.json"), NOW)
    assert (result.status, result.reason) == (Health.FAILED, "CrashLoopBackOff")


def test_it_finds_the_healthy_capture_ready(captures):
    assert pod_health(one(captures, "oc/healthy/pods.json"), NOW).status == Health.READY


def test_it_reports_the_stray_image_pull_pod(captures):
    pods = items(captures, "live-infra01/aap2-prod0/pods.json")
    stray = [p for p in pods if pod_role(p) == "stray"]
    assert [pod_health(p, NOW).reason for p in stray] == ["ImagePullBackOff"]


def test_it_counts_completed_build_pods_as_ready(captures):
    pods = items(captures, "live-infra01/parsec/pods.json")
    builds = [p for p in pods if pod_role(p) == "build"]
    assert builds
    assert {pod_health(p, NOW).status for p in builds} == {Health.READY}


def test_it_drops_a_failed_build_superseded_by_a_later_success(captures):
    pods = items(captures, "live-infra01/babylon-sandbox-api/pods.json")
    assert "sandbox-backup-1-build" in superseded_runs(pods)
    latest = {p["metadata"]["name"] for p in current_runs(pods)}
    assert "sandbox-backup-1-build" not in latest
    assert "sandbox-backup-3-build" in latest


def test_it_keeps_only_the_latest_cronjob_run(captures):
    pods = items(captures, "live-infra01/ccm-monitoring/pods.json")
    latest = current_runs(pods)
    assert [p["metadata"]["name"] for p in latest] == ["ccm-monitoring-push-29635020-5scn4"]


def test_it_surfaces_oomkilled_from_the_last_termination():
    result = pod_health(_pod("CrashLoopBackOff", last="OOMKilled"), NOW)
    assert (result.status, result.reason) == (Health.FAILED, "OOMKilled")


def test_it_fails_evicted_pods():
    result = pod_health(_pod(phase="Failed", reason="Evicted"), NOW)
    assert (result.status, result.reason) == (Health.FAILED, "Evicted")


def test_it_waits_a_short_window_before_failing_unschedulable_pods():
    def unschedulable(ago: timedelta) -> dict:
        cond = {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}
        cond["lastTransitionTime"] = (NOW - ago).isoformat()
        pod = _pod(phase="Pending")
        pod["status"]["conditions"] = [cond]
        pod["status"]["containerStatuses"] = []
        return pod

    assert pod_health(unschedulable(timedelta(minutes=1)), NOW).status == Health.PROGRESSING
    assert pod_health(unschedulable(timedelta(minutes=30)), NOW).status == Health.FAILED


@given(
    st.sampled_from(["Err", "ErrImagePull", "CreateContainerConfigError", "ImagePullBackOff"])
    | st.from_regex(r"\AErr[A-Za-z]{0,8}\Z")
    | st.from_regex(r"\A[A-Z][a-z]{0,8}(Error|BackOff)\Z")
)
def test_it_fails_every_err_error_backoff_waiting_reason(reason):
    assert pod_health(_pod(reason), NOW).status == Health.FAILED


@given(st.sampled_from(["ContainerCreating", "PodInitializing", "Pending"]))
def test_it_treats_benign_waiting_reasons_as_progress(reason):
    assert pod_health(_pod(reason, phase="Pending"), NOW).status == Health.PROGRESSING
