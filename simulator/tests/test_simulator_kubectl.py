"""kubectl (the real binary) against the simulator, through a generated kubeconfig."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from kubernetes import client

from simulator import Simulator
from simulator.builders import deployment
from simulator.context import BuildContext
from simulator.tests.conftest import SimulatorFactory, pod, small_store, wait_for

KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
pytestmark = pytest.mark.skipif(not Path(KUBECTL).exists(), reason="kubectl is not installed")


@pytest.fixture
def sim(simulator_server: SimulatorFactory) -> Simulator:
    store = small_store(pods=25)
    ctx = BuildContext("c1", "lab-b", random.Random(2), datetime(2026, 11, 26, tzinfo=UTC))
    store.load(deployment(ctx, "web", "quay.io/example/web:1", replicas=2))
    return simulator_server(stores={"c1": store})


def kubectl(sim: Simulator, *args: str, kubeconfig: Path | None = None) -> str:
    config = kubeconfig or sim.kubeconfig_path()
    result = subprocess.run(
        [KUBECTL, "--kubeconfig", str(config), "--request-timeout=10s", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _names(output: str) -> list[str]:
    return [item["metadata"]["name"] for item in json.loads(output)["items"]]


def test_it_gets_with_both_selectors(sim: Simulator) -> None:
    by_label = _names(kubectl(sim, "get", "pods", "-A", "-l", "tier=t1", "-o", "json"))
    by_field = _names(
        kubectl(
            sim,
            "get",
            "pods",
            "-n",
            "lab-a",
            "--field-selector",
            "status.phase=Pending",
            "-o",
            "json",
        )
    )
    one = json.loads(kubectl(sim, "get", "pod", "pod-04", "-n", "lab-a", "-o", "json"))

    assert by_label == [f"pod-{i:02d}" for i in range(1, 25, 2)]
    assert by_field == [f"pod-{i:02d}" for i in range(0, 25, 3)]
    assert one["status"]["phase"] == "Running"


def test_it_paginates_kubectl_lists_in_chunks(sim: Simulator) -> None:
    result = subprocess.run(
        [
            KUBECTL,
            "--kubeconfig",
            str(sim.kubeconfig_path()),
            "get",
            "pods",
            "-n",
            "lab-a",
            "--chunk-size=10",
            "-o",
            "name",
            "-v=6",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )

    assert len(result.stdout.split()) == 25
    assert result.stderr.count("limit=10") >= 3


def test_it_patches_in_three_flavours(sim: Simulator) -> None:
    kubectl(
        sim,
        "patch",
        "pod",
        "pod-01",
        "-n",
        "lab-a",
        "--type",
        "merge",
        "-p",
        '{"metadata": {"labels": {"merged": "yes"}}}',
    )
    kubectl(
        sim,
        "patch",
        "pod",
        "pod-01",
        "-n",
        "lab-a",
        "--type",
        "json",
        "-p",
        '[{"op": "add", "path": "/metadata/labels/json", "value": "yes"}]',
    )
    kubectl(
        sim,
        "patch",
        "pod",
        "pod-01",
        "-n",
        "lab-a",
        "-p",
        '{"spec": {"containers": [{"name": "app", "image": "quay.io/example/app:2"}]}}',
    )

    patched = json.loads(kubectl(sim, "get", "pod", "pod-01", "-n", "lab-a", "-o", "json"))
    assert patched["metadata"]["labels"] == {"tier": "t1", "merged": "yes", "json": "yes"}
    assert patched["spec"]["containers"] == [{"name": "app", "image": "quay.io/example/app:2"}]


def test_it_scales_and_restarts_a_deployment(sim: Simulator) -> None:
    def pods() -> set[str]:
        return set(
            _names(kubectl(sim, "get", "pods", "-n", "lab-b", "-l", "app=web", "-o", "json"))
        )

    before = pods()
    kubectl(sim, "scale", "deployment", "web", "-n", "lab-b", "--replicas=3")
    scaled = wait_for(lambda: len(p := pods()) == 3 and p)
    kubectl(sim, "rollout", "restart", "deployment", "web", "-n", "lab-b")
    restarted = wait_for(lambda: len(p := pods()) == 3 and not p & scaled and p)

    assert len(before) == 2 and before < scaled
    assert len(restarted) == 3


def test_it_creates_and_deletes(sim: Simulator, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.json"
    manifest.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "made", "namespace": "lab-a"},
                "data": {"k": "v"},
            }
        )
    )

    # No OpenAPI documents are served, so client-side schema validation is off.
    kubectl(sim, "create", "--validate=false", "-f", str(manifest))
    made = json.loads(kubectl(sim, "get", "configmap", "made", "-n", "lab-a", "-o", "json"))
    kubectl(sim, "delete", "pod", "pod-00", "-n", "lab-a")
    kubectl(sim, "delete", "namespace", "lab-b", "--wait=true")

    assert made["data"] == {"k": "v"}
    assert "pod-00" not in _names(kubectl(sim, "get", "pods", "-n", "lab-a", "-o", "json"))
    assert "lab-b" not in _names(kubectl(sim, "get", "namespaces", "-o", "json"))


def test_it_watches(sim: Simulator) -> None:
    process = subprocess.Popen(
        [
            KUBECTL,
            "--kubeconfig",
            str(sim.kubeconfig_path()),
            "get",
            "pods",
            "-n",
            "lab-a",
            "--watch-only",
            "-o",
            "name",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)  # let kubectl list and open its watch
        client.CoreV1Api(sim.api_client()).create_namespaced_pod("lab-a", pod("lab-a", "watched"))
        assert process.stdout is not None
        line = process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)

    assert line.strip() == "pod/watched"


def test_it_refuses_kubectl_with_a_wrong_token(sim: Simulator, tmp_path: Path) -> None:
    config = yaml.safe_load(sim.kubeconfig_path().read_text())
    config["users"][0]["user"]["token"] = "wrong"
    wrong = tmp_path / "wrong.kubeconfig"
    wrong.write_text(yaml.safe_dump(config))

    result = subprocess.run(
        [KUBECTL, "--kubeconfig", str(wrong), "get", "pods", "-A"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert result.returncode == 1
    assert "Unauthorized" in result.stderr or "provide credentials" in result.stderr
