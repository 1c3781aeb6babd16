"""Cleanup detectors (contract section 5) on Kubernetes objects shaped like the real ones."""

from __future__ import annotations

from datetime import UTC, datetime

from recommendations.detectors import (
    cleanup_report,
    gib,
    orphaned_pvcs,
    orphaned_pvs,
    stuck_teardowns,
    unhealthy_operator_pods,
)

NOW = datetime(2026, 5, 12, 12, 0, tzinfo=UTC)


def subject(name: str, state: str, **status: object) -> dict[str, object]:
    return {
        "metadata": {"name": name, "creationTimestamp": "2026-05-01T00:00:00Z"},
        "spec": {
            "vars": {
                "current_state": state,
                "job_vars": {
                    "sandbox_openshift_namespace": f"sandbox-{name}",
                    "sandbox_openshift_cluster": "cluster-4px7h",
                },
            }
        },
        "status": status,
    }


def test_a_destroy_older_than_two_hours_is_stuck() -> None:
    subjects = [
        subject(
            "a", "destroying", towerJobs={"destroy": {"startTimestamp": "2026-05-12T09:00:00Z"}}
        ),
        subject("b", "destroy-failed", lastTransitionTime="2026-05-12T11:00:00Z"),
        subject("c", "started"),
        subject("d", "destroy-error"),  # age from creationTimestamp
    ]
    found = stuck_teardowns(subjects, now=NOW, namespaces={"sandbox-a"})
    assert [(s["anarchy_subject"], s["age_hours"]) for s in found] == [("a", 3.0), ("d", 276.0)]
    assert found[0]["namespace_exists"] is True and found[1]["namespace_exists"] is False
    assert found[0]["cluster"] == "cluster-4px7h"


def test_a_pv_bound_to_a_gone_namespace_is_orphaned() -> None:
    volumes = [
        {
            "metadata": {"name": "pv1"},
            "spec": {
                "claimRef": {"namespace": "sandbox-gone", "name": "data"},
                "capacity": {"storage": "10Gi"},
                "storageClassName": "ocs",
            },
            "status": {"phase": "Released"},
        },
        {
            "metadata": {"name": "pv2"},
            "spec": {"claimRef": {"namespace": "sandbox-here"}},
            "status": {"phase": "Bound"},
        },
        {
            "metadata": {"name": "pv3"},
            "spec": {"claimRef": {"namespace": "gone"}},
            "status": {"phase": "Available"},
        },
    ]
    found = orphaned_pvs(volumes, {"sandbox-here"})
    assert [pv["pv_name"] for pv in found] == ["pv1"]
    assert found[0]["bound_to_pvc"] == "data"


def test_a_lab_pvc_lost_or_pointing_at_no_pv_is_orphaned() -> None:
    claims = [
        {
            "metadata": {"namespace": "sandbox-x", "name": "lost"},
            "status": {"phase": "Lost"},
            "spec": {},
        },
        {
            "metadata": {"namespace": "showroom-y", "name": "dangling"},
            "spec": {"volumeName": "pv-gone"},
            "status": {"phase": "Bound"},
        },
        {
            "metadata": {"namespace": "sandbox-x", "name": "fine"},
            "spec": {"volumeName": "pv1"},
            "status": {"phase": "Bound"},
        },
        {
            "metadata": {"namespace": "other", "name": "ignored"},
            "status": {"phase": "Lost"},
            "spec": {},
        },
    ]
    assert [c["pvc_name"] for c in orphaned_pvcs(claims, {"pv1"})] == ["lost", "dangling"]


def pod(
    namespace: str, name: str, *, waiting: str = "", ready: bool = True, restarts: int = 0
) -> dict[str, object]:
    state = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    return {
        "metadata": {"namespace": namespace, "name": name},
        "status": {
            "phase": "Running",
            "containerStatuses": [{"ready": ready, "restartCount": restarts, "state": state}],
        },
    }


def test_operator_pods_in_platform_namespaces_are_checked() -> None:
    pods = [
        pod("openshift-cnv", "virt-handler", waiting="CrashLoopBackOff", restarts=12, ready=False),
        pod("openshift-storage", "noobaa", waiting="ImagePullBackOff", ready=False),
        pod("babylon-anarchy-2", "runner", ready=False),
        pod("openshift-operators", "flappy", restarts=5),
        pod("openshift-operators", "fine", restarts=4),
        pod("sandbox-abc", "app", waiting="CrashLoopBackOff"),
    ]
    found = unhealthy_operator_pods(pods)
    assert [(p["pod"], p["issue"], p["restarts"]) for p in found] == [
        ("virt-handler", "CrashLoopBackOff", 12),
        ("noobaa", "ImagePullBackOff", 0),
        ("runner", "NotReady", 0),
        ("flappy", "Restarts", 5),
    ]


def test_quantities_convert_to_gib() -> None:
    assert gib("10Gi") == 10.0
    assert gib("512Mi") == 0.5
    assert round(gib("1G"), 3) == 0.931
    assert gib("lots") == 0.0


def test_the_report_sums_orphaned_capacity_into_facts() -> None:
    volumes = [
        {
            "metadata": {"name": f"pv{i}"},
            "spec": {"claimRef": {"namespace": "gone"}, "capacity": {"storage": "5Gi"}},
            "status": {"phase": "Bound"},
        }
        for i in range(3)
    ]
    report = cleanup_report(cluster="c1", now=NOW, volumes=volumes, namespaces={"x"})
    assert report.facts() == {
        "stuck_teardowns": 0,
        "orphaned_pvs": 3,
        "orphaned_pvcs": 0,
        "orphaned_capacity_gi": 15.0,
        "unhealthy_operator_pods": 0,
    }
