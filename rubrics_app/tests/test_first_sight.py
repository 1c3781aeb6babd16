"""Every rule that times a stall or a timeout, seen once, six hours after its object's timestamps.

A state whose start the object does not record is PROGRESSING on first sight (one snapshot cannot
show a stall); a state whose own timestamp marks its start is FAILED at once, memory or not.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from rubrics_app.engine import evaluate
from rubrics_app.outcomes import Outcome, PreviousState

from .builders import T0, cond, deployment, evidence, ns, obj, pod

START = datetime.fromisoformat(T0)
NOW = START + timedelta(hours=6)
EARLIER = (START - timedelta(days=3)).isoformat()


def _dv(progress="42%"):
    status = {"phase": "ImportInProgress", "progress": progress}
    return obj("DataVolume", "disk", {**status, "conditions": [cond("Ready", "False", "x")]})


def _sts(**status):
    base = {"replicas": 3, "readyReplicas": 3, "currentReplicas": 3, "updatedReplicas": 3}
    base.update({"currentRevision": "a", "updateRevision": "a", **status})
    return obj(
        "StatefulSet",
        "db",
        base,
        metadata={"creationTimestamp": EARLIER},
        spec={"replicas": 3, "selector": {"matchLabels": {"app": "db"}}},
    )


def _old(d):
    d["metadata"]["creationTimestamp"] = EARLIER
    return d


def _rollout(reason, updated_at=T0):
    d = _old(deployment())
    d["spec"]["replicas"] = 2
    progressing = cond("Progressing", "True", reason, EARLIER)
    d["status"]["conditions"] = [cond("Available", "True", when=EARLIER), progressing]
    progressing["lastUpdateTime"] = updated_at
    return d


def _new_generation():
    d = _old(deployment())
    d["metadata"]["generation"] = 5
    d["status"]["observedGeneration"] = 4
    return d


def _scaled_up():
    d = _old(deployment())
    d["spec"]["replicas"] = 2
    d["status"].update(replicas=2, updatedReplicas=2)
    d["status"]["conditions"] = [cond("Available", "True", when=EARLIER)]
    return d


def _unavailable():
    d = deployment(available=0)
    d["status"]["conditions"] = [cond("Available", "False", "MinimumReplicasUnavailable")]
    return d


def _anarchy(state, actions=None):
    status = {"actions": actions} if actions else {}
    spec = {"vars": {"current_state": state}}
    return obj("AnarchySubject", "sub", status, metadata={"creationTimestamp": EARLIER}, spec=spec)


def _unschedulable(when=T0):
    scheduled = cond("PodScheduled", "False", "Unschedulable", when)
    p = pod("web-1", phase="Pending")
    p["status"]["conditions"] = [scheduled]
    return p


def _restarted_vm():
    ready = cond("Ready", "False", "VMINotExists", EARLIER)
    return obj("VirtualMachine", "vm", {"printableStatus": "Starting", "conditions": [ready]})


def _vmi_scheduling():
    ready = cond("Ready", "False", "GuestNotRunning")
    return obj("VirtualMachineInstance", "vm", {"phase": "Scheduling", "conditions": [ready]})


def _isvc():
    return obj("InferenceService", "m", {"conditions": [cond("Ready", "False", "Loading")]})


def _route():
    return obj("Route", "web", {}, spec={"to": {"kind": "Service", "name": "web"}})


def _terminating():
    namespace = ns("Terminating")
    namespace["metadata"]["deletionTimestamp"] = T0
    return namespace


NOT_YET = [
    ("a DataVolume importing at 42 %", "storage-clone-ready", {"datavolumes": [_dv()]}),
    ("a StatefulSet rolling out", "deployment-ready", {"statefulsets": [_sts(updateRevision="b")]}),
    ("a StatefulSet scaling down", "deployment-ready", {"statefulsets": [_sts(replicas=4)]}),
    (
        "a rollout that only an earlier rollout timed",
        "deployment-ready",
        {"deployments": [_rollout("NewReplicaSetAvailable", EARLIER)]},
    ),
    ("a new generation", "deployment-ready", {"deployments": [_new_generation()]}),
    ("a scale-up", "deployment-ready", {"deployments": [_scaled_up()]}),
    ("a lab starting again", "provision-complete", {"anarchysubjects": [_anarchy("starting")]}),
    ("a lab destroying", "provision-complete", {"anarchysubjects": [_anarchy("destroying")]}),
    (
        "a retried provision",
        "provision-complete",
        {
            "anarchysubjects": [
                _anarchy(
                    "provisioning",
                    {"provision": {"startTimestamp": EARLIER, "completeTimestamp": T0}},
                )
            ]
        },
    ),
    ("a stopped VM started again", "vm-runtime-ready", {"virtualmachines": [_restarted_vm()]}),
    (
        "a pod the scheduler refused at an unknown time",
        "deployment-ready",
        {"deployments": [deployment(available=0)], "pods": [_unschedulable(when="")]},
    ),
]

ALREADY = [
    (
        "a rollout the controller last saw progress on at T0",
        "deployment-ready",
        {"deployments": [_rollout("ReplicaSetUpdated")]},
        "deployment-not-ready",
    ),
    (
        "a Deployment not Available since T0",
        "deployment-ready",
        {"deployments": [_unavailable()]},
        "deployment-not-ready",
    ),
    (
        "a pod Unschedulable since T0",
        "deployment-ready",
        {"deployments": [deployment(available=0)], "pods": [_unschedulable()]},
        "unschedulable",
    ),
    (
        "a namespace deleted at T0",
        "namespace-ready",
        {"namespace_object": _terminating()},
        "namespace-terminating",
    ),
    (
        "a claim Pending since its creation",
        "storage-clone-ready",
        {"persistentvolumeclaims": [obj("PersistentVolumeClaim", "disk", {"phase": "Pending"})]},
        "pvc-pending-timeout",
    ),
    (
        "a VMI Scheduling since T0",
        "vm-runtime-ready",
        {"virtualmachineinstances": [_vmi_scheduling()]},
        "vm-boot-timeout",
    ),
    (
        "a lab provisioning since its creation",
        "provision-complete",
        {"anarchysubjects": [_anarchy("provisioning")]},
        "provision-timeout",
    ),
    (
        "a lab whose start action runs since T0",
        "provision-complete",
        {"anarchysubjects": [_anarchy("starting", {"start": {"startTimestamp": T0}})]},
        "provision-timeout",
    ),
    (
        "a model not Ready since T0",
        "model-endpoint-ready",
        {"inferenceservices": [_isvc()]},
        "model-not-ready",
    ),
    ("a Route never admitted", "route-ready", {"routes": [_route()]}, "route-not-admitted"),
]


@pytest.mark.parametrize(
    ("rubric_id", "kinds"), [c[1:] for c in NOT_YET], ids=[c[0] for c in NOT_YET]
)
def test_it_calls_a_state_the_object_does_not_time_progressing_on_first_sight(
    rubric_set, rubric_id, kinds
):
    first = evaluate(evidence(**kinds), rubric_set, NOW).rubric(rubric_id)
    assert first.outcome == Outcome.PROGRESSING, first.reason


@pytest.mark.parametrize(
    ("rubric_id", "kinds"), [c[1:] for c in NOT_YET], ids=[c[0] for c in NOT_YET]
)
def test_it_fails_the_same_state_once_it_has_watched_it_past_the_grace_window(
    rubric_set, rubric_id, kinds
):
    first = evaluate(evidence(**kinds), rubric_set, NOW)
    later = NOW + timedelta(hours=3)
    again = evaluate(evidence(**kinds), rubric_set, later, PreviousState(first.seen))
    assert again.rubric(rubric_id).outcome == Outcome.FAILED


@pytest.mark.parametrize(
    ("rubric_id", "kinds", "failure_class"), [c[1:] for c in ALREADY], ids=[c[0] for c in ALREADY]
)
def test_it_fails_a_state_timed_by_its_own_timestamp_without_memory(
    rubric_set, rubric_id, kinds, failure_class
):
    result = evaluate(evidence(**kinds), rubric_set, NOW).rubric(rubric_id)
    assert (result.outcome, result.failure_class) == (Outcome.FAILED, failure_class)


def test_it_restarts_a_vm_s_window_while_its_disk_import_advances(rubric_set):
    vm = obj("VirtualMachine", "vm", {"printableStatus": "Provisioning"})
    vm["spec"] = {"dataVolumeTemplates": [{"metadata": {"name": "disk"}}]}
    first = evaluate(evidence(virtualmachines=[vm], datavolumes=[_dv("10%")]), rubric_set, NOW)
    later = NOW + timedelta(hours=1)
    moved = evidence(virtualmachines=[vm], datavolumes=[_dv("80%")])
    result = evaluate(moved, rubric_set, later, PreviousState(first.seen))
    assert result.rubric("vm-runtime-ready").outcome == Outcome.PROGRESSING
    stuck = evidence(virtualmachines=[vm], datavolumes=[_dv("10%")])
    result = evaluate(stuck, rubric_set, later, PreviousState(first.seen))
    assert result.rubric("vm-runtime-ready").outcome == Outcome.FAILED


def test_it_keeps_its_memory_through_a_stale_scan(rubric_set):
    first = evaluate(evidence(datavolumes=[_dv()]), rubric_set, NOW)
    stale = evaluate(
        evidence(datavolumes=[_dv()], stale=True), rubric_set, NOW, PreviousState(first.seen)
    )
    assert stale.seen == first.seen
    later = NOW + timedelta(hours=1)
    back = evaluate(evidence(datavolumes=[_dv()]), rubric_set, later, PreviousState(stale.seen))
    assert back.rubric("storage-clone-ready").failure_class == "storage-clone-stalled"


def test_it_keeps_remembering_a_progressing_object_beside_a_failed_one(rubric_set):
    failed = obj("DataVolume", "other", {"phase": "Failed"})
    first = evaluate(evidence(datavolumes=[_dv(), failed]), rubric_set, NOW)
    assert first.rubric("storage-clone-ready").failure_class == "datavolume-failed"
    later = NOW + timedelta(hours=1)
    result = evaluate(evidence(datavolumes=[_dv()]), rubric_set, later, PreviousState(first.seen))
    assert result.rubric("storage-clone-ready").failure_class == "storage-clone-stalled"


def test_it_follows_the_object_s_own_timestamp_when_it_moves_forward(rubric_set):
    seen = evaluate(evidence(deployments=[_rollout("ReplicaSetUpdated")]), rubric_set, NOW).seen
    progressed = _rollout("ReplicaSetUpdated", (NOW - timedelta(minutes=1)).isoformat())
    result = evaluate(evidence(deployments=[progressed]), rubric_set, NOW, PreviousState(seen))
    assert result.rubric("deployment-ready").outcome == Outcome.PROGRESSING
