from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rubrics_app.engine import evaluate, fingerprint
from rubrics_app.outcomes import SEVERITY, Outcome, PreviousState, Seen

from .builders import T0, cond, deployment, evidence, obj, pod

NOW = datetime.fromisoformat(T0) + timedelta(minutes=5)


def _dv(progress: str) -> dict:
    return obj(
        "DataVolume",
        "disk",
        {
            "phase": "ImportInProgress",
            "progress": progress,
            "conditions": [cond("Ready", "False", "ImportInProgress")],
        },
    )


def test_it_answers_stale_never_ready_when_the_cluster_was_unreachable(rubric_set):
    result = evaluate(evidence(deployments=[deployment()], stale=True), rubric_set, NOW)
    assert {r.outcome for r in result.rubrics} == {Outcome.STALE}
    assert (result.status, result.failure_class) == (Outcome.STALE, "cluster-unreachable")


def test_it_answers_stale_when_cluster_health_says_unreachable(rubric_set):
    result = evaluate(evidence(cluster_health={"reachable": False}), rubric_set, NOW)
    assert result.status == Outcome.STALE


def test_it_answers_unknown_when_evidence_was_not_collected(rubric_set):
    result = evaluate({"cluster": "c1", "namespace": "x"}, rubric_set, NOW)
    assert (result.status, result.failure_class) == (Outcome.UNKNOWN, "evidence-missing")


def test_it_fails_run_created_and_skips_the_rest_when_the_namespace_is_gone(rubric_set):
    result = evaluate(evidence(namespace_object=None), rubric_set, NOW)
    assert [r.rubric_id for r in result.rubrics] == ["run-created"]
    assert (result.status, result.failure_class) == (Outcome.FAILED, "namespace-missing")


def test_it_builds_the_pipeline_from_what_applies(rubric_set):
    result = evaluate(evidence(deployments=[deployment()], pods=[pod("web-1")]), rubric_set, NOW)
    assert [r.rubric_id for r in result.rubrics] == [
        "run-created",
        "namespace-ready",
        "deployment-ready",
    ]
    assert result.status == Outcome.READY


def test_it_takes_the_worst_rubric_as_the_lab_status(rubric_set):
    crash = pod("web-1", waiting="CrashLoopBackOff")
    result = evaluate(
        evidence(deployments=[deployment(available=0)], pods=[crash], datavolumes=[_dv("10%")]),
        rubric_set,
        NOW,
    )
    assert result.rubric("storage-clone-ready").outcome == Outcome.PROGRESSING
    assert (result.status, result.failure_class) == (Outcome.FAILED, "crashloop")


def test_it_restarts_the_grace_window_when_progress_advances(rubric_set):
    late = NOW + timedelta(hours=2)
    stuck = PreviousState(
        {
            "storage-clone-ready/datavolumes-succeeded/DataVolume/disk": Seen(
                NOW, "ImportInProgress 10%"
            )
        }
    )
    same = evaluate(evidence(datavolumes=[_dv("10%")]), rubric_set, late, stuck)
    moved = evaluate(evidence(datavolumes=[_dv("55%")]), rubric_set, late, stuck)
    assert same.rubric("storage-clone-ready").outcome == Outcome.FAILED
    assert same.rubric("storage-clone-ready").failure_class == "storage-clone-stalled"
    assert moved.rubric("storage-clone-ready").outcome == Outcome.PROGRESSING
    assert moved.seen["storage-clone-ready/datavolumes-succeeded/DataVolume/disk"] == Seen(
        late, "ImportInProgress 55%"
    )


def test_it_times_objects_without_a_timestamp_from_first_sight(rubric_set):
    service = obj("Service", "web", spec={"selector": {"app": "web"}})
    route = obj(
        "Route",
        "web",
        {"ingress": [{"conditions": [cond("Admitted", "True")]}]},
        spec={"to": {"kind": "Service", "name": "web"}},
    )
    first = evaluate(evidence(services=[service], routes=[route]), rubric_set, NOW)
    assert first.rubric("route-ready").outcome == Outcome.PROGRESSING
    later = evaluate(
        evidence(services=[service], routes=[route]),
        rubric_set,
        NOW + timedelta(hours=1),
        PreviousState(first.seen),
    )
    outcome = later.rubric("route-ready")
    assert (outcome.outcome, outcome.failure_class) == (Outcome.FAILED, "service-no-endpoints")


def test_it_keeps_a_fingerprint_stable_across_evaluations(rubric_set):
    crash = evidence(
        deployments=[deployment(available=0)], pods=[pod("web-1", waiting="CrashLoopBackOff")]
    )
    again = evidence(
        deployments=[deployment(available=0)], pods=[pod("web-2", waiting="CrashLoopBackOff")]
    )
    one = evaluate(crash, rubric_set, NOW).rubric("deployment-ready")
    two = evaluate(again, rubric_set, NOW + timedelta(hours=1)).rubric("deployment-ready")
    assert (
        one.fingerprint
        == two.fingerprint
        == fingerprint("c1/sandbox-abc-lab", "deployment-ready", "crashloop", "Deployment/web")
    )


def test_it_records_each_criterion_with_its_evidence(rubric_set):
    crash = pod("web-1", waiting="CrashLoopBackOff")
    outcome = evaluate(
        evidence(deployments=[deployment(available=0)], pods=[crash]), rubric_set, NOW
    ).rubric("deployment-ready")
    first = outcome.criteria[0].as_json()
    assert first["id"] == "deployments-available"
    assert first["evidence"][0]["ref"] == "Deployment/web"
    assert outcome.evidence_excerpt()[0]["reason"] == "CrashLoopBackOff"
    assert outcome.action == "restart-pod"


def test_it_blocks_rubrics_whose_entry_criteria_fail(rubric_set):
    result = evaluate(evidence(namespace_object=None, deployments=[deployment()]), rubric_set, NOW)
    assert result.rubric("deployment-ready").outcome == Outcome.UNKNOWN


def test_it_keeps_outcome_values_in_step_with_lab_statuses():
    from labs.models import STATUS_SEVERITY, Status

    assert {o.value: SEVERITY[o] for o in Outcome} == {
        s.value: r for s, r in STATUS_SEVERITY.items()
    }
    assert {o.value for o in Outcome} == set(Status.values)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.sampled_from(["", "CrashLoopBackOff", "ImagePullBackOff", "ContainerCreating"]),
        min_size=1,
        max_size=4,
    ),
    st.integers(0, 120),
)
def test_it_never_calls_a_lab_ready_with_a_failing_or_waiting_pod(rubric_set, waits, minutes):
    pods = [pod(f"web-{i}", waiting=w) for i, w in enumerate(waits)]
    available = 1 if all(w == "" for w in waits) else 0
    result = evaluate(
        evidence(deployments=[deployment(available=available)], pods=pods),
        rubric_set,
        NOW + timedelta(minutes=minutes),
    )
    assert (result.status == Outcome.READY) == (available == 1)
    if any(w.endswith("BackOff") for w in waits):
        assert result.status == Outcome.FAILED


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["", "CrashLoopBackOff", "ContainerCreating"]), max_size=3),
    st.booleans(),
    st.booleans(),
)
def test_it_never_answers_ready_from_stale_evidence(rubric_set, waits, stale_flag, unreachable):
    pods = [pod(f"web-{i}", waiting=w) for i, w in enumerate(waits)]
    facts = evidence(deployments=[deployment()], pods=pods, stale=stale_flag)
    if unreachable:
        facts["cluster_health"] = {"reachable": False}
    result = evaluate(facts, rubric_set, NOW)
    if stale_flag or unreachable:
        assert result.status == Outcome.STALE
        assert all(r.outcome == Outcome.STALE for r in result.rubrics)
    else:
        assert result.status != Outcome.STALE
