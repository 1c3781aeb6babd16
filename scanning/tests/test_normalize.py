from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scanning.kinds import EVIDENCE_KINDS
from scanning.normalize import evidence_from_lists, object_normalize
from scanning.tests.fixtures_scan import capture_folders, capture_lists, capture_namespace
from stargate.lib.redact import KEPT_ANNOTATIONS, is_secret_name


def evidence_of(folder: Path) -> dict[str, Any]:
    name, namespace = capture_namespace(folder)
    evidence = evidence_from_lists(
        cluster="c1",
        namespaces={name: namespace},
        lists=capture_lists(folder),
        collected_at="2026-05-05T15:20:00Z",
    )
    return dict(evidence[name])


def test_it_keeps_the_crashloop_and_the_last_termination(captures: Path) -> None:
    evidence = evidence_of(captures / "oc" / "unhealthy")
    pod = evidence["objects"]["pods"][0]
    status = pod["status"]["containerStatuses"][0]
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["lastState"]["terminated"]["reason"] == "Error"
    assert status["restartCount"] == 5
    deployment = evidence["objects"]["deployments"][0]
    assert deployment["status"].get("availableReplicas", 0) == 0
    assert [e["reason"] for e in evidence["objects"]["events"]]


def test_it_keeps_vm_states_and_datavolume_progress(captures: Path) -> None:
    evidence = evidence_of(captures / "oc" / "vm-unhealthy")
    objects = evidence["objects"]
    assert objects["virtualmachineinstances"][0]["status"]["phase"] == "Scheduling"
    assert "progress" in objects["datavolumes"][0]["status"]
    assert objects["datavolumes"][0]["spec"]["source"] == {
        "pvc": {"namespace": "golden-images", "name": "rhel9-base"}
    }
    assert objects["persistentvolumeclaims"][0]["status"]["phase"] == "Pending"
    assert "printableStatus" in objects["virtualmachines"][0]["status"]


def test_it_keeps_anarchy_states_and_drops_job_vars(captures: Path) -> None:
    evidence = evidence_of(captures / "oc" / "anarchy-provision-failed")
    subject = evidence["objects"]["anarchysubjects"][0]
    assert subject["spec"]["vars"] == {
        "current_state": "provision-failed",
        "desired_state": "started",
        "healthy": False,
    }
    assert "diffBase" not in subject["status"]


def test_it_keeps_owners_labels_and_route_conditions(captures: Path) -> None:
    evidence = evidence_of(captures / "live-cnv")
    pod = evidence["objects"]["pods"][0]
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "VirtualMachineInstance"
    assert pod["metadata"]["labels"]["kubevirt.io"] == "virt-launcher"
    assert pod["metadata"]["creationTimestamp"]
    route = evidence["objects"]["routes"][0]
    assert route["status"]["ingress"][0]["conditions"][0]["type"] == "Admitted"
    assert set(route["spec"].get("tls", {})) <= {"termination", "insecureEdgeTerminationPolicy"}
    assert evidence["objects"]["endpoints"][0]["subsets"]


def test_it_redacts_env_commands_and_annotations(captures: Path) -> None:
    pod = json.loads((captures / "live-cnv" / "pods.json").read_text())["items"][0]
    pod["spec"]["containers"][0]["env"] = [{"name": "DB_PASSWORD", "value": "hunter2hunter2"}]
    pod["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] = "2026-05-06T00:00:00Z"
    normalized = object_normalize("pods", pod)
    assert "hunter2hunter2" not in json.dumps(normalized)
    annotations = normalized["metadata"]["annotations"]
    assert annotations["kubectl.kubernetes.io/restartedAt"] == "2026-05-06T00:00:00Z"
    assert "kubevirt.io/domain" not in annotations  # redacted values are dropped
    assert "command" not in normalized["spec"]["containers"][0]


def test_it_builds_every_kind_for_every_capture_folder(captures: Path) -> None:
    for folder in capture_folders(captures):
        evidence = evidence_of(folder)
        assert set(evidence["objects"]) == set(EVIDENCE_KINDS), folder
        for kind, raws in capture_lists(folder).items():
            if kind != "events":
                assert len(evidence["objects"][kind]) == len(raws), (folder, kind)


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) else []


def split_secrets(value: Any, secret: list[str], public: list[str]) -> None:
    """Sort strings into those under a secret-looking key, an env value, a command, an
    annotation other than the kept ones (`secret`) and all others (`public`)."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name == "annotations" and isinstance(item, dict):
                secret += [v for k, v in item.items() if k not in KEPT_ANNOTATIONS]
                public += [v for k, v in item.items() if k in KEPT_ANNOTATIONS]
            elif name in ("env", "args", "command") or is_secret_name(name):
                secret += (
                    strings(item)
                    if name != "env"
                    else [e.get("value", "") for e in item if isinstance(e, dict)]
                )
            else:
                split_secrets(item, secret, public)
    elif isinstance(value, list):
        for item in value:
            split_secrets(item, secret, public)
    elif isinstance(value, str):
        public.append(value)


def secret_values(raw: Any) -> list[str]:
    secret: list[str] = []
    public: list[str] = []
    split_secrets(raw, secret, public)
    visible = "\n".join(public)
    return [s for s in secret if isinstance(s, str) and len(s) >= 8 and s not in visible]


def test_it_leaves_no_secret_of_any_capture(captures: Path) -> None:
    checked = 0
    for folder in capture_folders(captures):
        for kind, raws in capture_lists(folder).items():
            for raw in raws:
                dumped = json.dumps(object_normalize(kind, raw))
                for secret in secret_values(raw):
                    checked += 1
                    assert json.dumps(secret) not in dumped, (folder, kind, secret[:20])
    assert checked > 50
