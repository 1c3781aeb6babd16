from __future__ import annotations

from rubrics_app.llm.signature import evidence_digest, failure_signature, normalize_message


def _pod(namespace: str, pod: str, node: str, restarts: int) -> dict:
    return {
        "kind": "Pod",
        "metadata": {"name": pod, "namespace": namespace, "uid": f"uid-{pod}"},
        "spec": {"nodeName": node},
        "status": {
            "containerStatuses": [
                {
                    "name": "app",
                    "restartCount": restarts,
                    "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                }
            ]
        },
    }


def _signature(
    namespace: str, pod: str, node: str, restarts: int, reason: str = "CrashLoopBackOff"
):
    return failure_signature(
        rubric_id="workload-ready",
        criterion="pods-running",
        kind="Pod",
        reason=reason,
        message=f"pod {namespace}/{pod} restarted {restarts} times on {node} (10.128.{restarts}.7)",
        evidence=_pod(namespace, pod, node, restarts),
        lab_names=[namespace, "abc12", "ocp4-workshop"],
    )


def test_it_gives_the_same_signature_to_the_same_failure_on_two_labs():
    one = _signature("sandbox-abc12-ocp4-workshop", "web-7d9f8b6c5d-x2k9p", "worker-1", 4)
    two = _signature("sandbox-zz9q1-ocp4-workshop", "web-5c8d7f9b4a-q7m2n", "worker-7", 12)
    assert one == two
    assert len(one) == 64


def test_it_separates_failures_that_differ_in_what_failed():
    one = _signature("sandbox-abc12-ocp4-workshop", "web-7d9f8b6c5d-x2k9p", "worker-1", 4)
    other = _signature(
        "sandbox-abc12-ocp4-workshop", "web-7d9f8b6c5d-x2k9p", "worker-1", 4, reason="OOMKilled"
    )
    assert one != other


def test_the_evidence_digest_ignores_names_but_not_content():
    pod = _pod("sandbox-a-x", "web-1", "n1", 1)
    same = _pod("sandbox-b-x", "web-2", "n2", 1)
    assert evidence_digest(pod) == evidence_digest(same)
    changed = _pod("sandbox-a-x", "web-1", "n1", 1)
    changed["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] = "ErrImagePull"
    assert evidence_digest(pod) != evidence_digest(changed)


def test_it_normalizes_names_and_numbers_in_messages():
    message = (
        "pod db-0 of sandbox-q1w2e-rhods in 3f2b1c9a-1d2e-4f5a-8b9c-0d1e2f3a4b5c failed "
        "after 30s: back-off restarting on 10.0.0.12:8080"
    )
    assert normalize_message(message, ["rhods-lab"]) == (
        "pod db-<n> of <lab> in <uuid> failed after <n>s: back-off restarting on <ip>"
    )
    assert normalize_message("my-lab is down", ["my-lab"]) == "<lab> is down"
