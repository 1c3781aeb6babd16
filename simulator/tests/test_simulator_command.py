"""simulate_fleet runs, writes kubeconfigs, registers clusters and labs; inject_failure breaks."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command
from django.db import connection
from kubernetes import client, config

from labs.models import Cluster, LabInstance
from simulator.registry import running_showroom_transport
from simulator.tests.conftest import wait_for


def _run_fleet(seconds: float) -> threading.Thread:
    def run() -> None:
        try:
            call_command(
                "simulate_fleet",
                clusters=2,
                namespaces=10,
                failure_rate=0.2,
                seed=7,
                duration=seconds,
                stdout=io.StringIO(),
            )
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_it_runs_registers_and_breaks_a_fleet(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    thread = _run_fleet(5)
    control = tmp_path / "simulator" / "control.json"

    wait_for(control.exists, timeout=20)
    cluster = Cluster.objects.get(name="sim-01")
    api = client.CoreV1Api(config.new_client_from_config(config_file=cluster.kubeconfig_path))
    lab = LabInstance.objects.filter(cluster=cluster).order_by("namespace").first()
    assert lab is not None
    out = io.StringIO()
    call_command(
        "inject_failure", cluster="sim-01", namespace=lab.namespace, failure="imagepull", stdout=out
    )
    assert out.getvalue() == f"sim-01/{lab.namespace}: imagepull injected\n"  # not a state dump
    transport = running_showroom_transport()
    assert transport is not None
    running = json.loads(control.read_text())  # the control URL and token
    services_file = tmp_path / "simulator" / "services.json"
    services = json.loads(services_file.read_text())["services"]
    labs = httpx.get(f"{services['labagator']['url']}/labs/", timeout=5).json()["results"]
    with httpx.Client(transport=transport, timeout=5) as http:
        state = http.get(
            f"{running['http_url']}/_control",
            headers={"Authorization": f"Bearer {running['token']}"},
        ).json()
        healthy = next(
            lab
            for lab in LabInstance.objects.filter(cluster=cluster)
            if f"sim-01/{lab.namespace}" not in state["broken_labs"]
        )
        ready = http.get(f"https://showroom-{healthy.namespace}.apps.sim-01.example.com/readyz")
    reasons = {
        cs.state.waiting.reason
        for p in api.list_namespaced_pod(lab.namespace).items
        for cs in p.status.container_statuses or []
        if cs.state.waiting
    }
    thread.join(timeout=30)

    assert Cluster.objects.filter(labels__simulated="true").count() == 2
    # The `test` execution target runs on them (remediation.execution.TEST_CLUSTER_PURPOSES).
    assert Cluster.objects.filter(labels__purpose="sim").count() == 2
    assert LabInstance.objects.count() == 20
    assert Path(cluster.kubeconfig_path).parent == tmp_path / "simulator"
    assert "ImagePullBackOff" in reasons
    assert ready.status_code == 200
    assert not control.exists()
    assert len(labs) == 6 and not services_file.exists()


def test_it_starts_the_demo_fleet_with_valid_arguments() -> None:
    from simulator.management.commands.simulate_fleet import Command
    from stargate.management.commands.serve import demo_commands
    from stargate.seams import demo_fleet

    *_, command = demo_commands("python", demo_fleet())
    options = Command().create_parser("manage.py", "simulate_fleet").parse_args(command[3:])

    assert command[1:3] == ["manage.py", "simulate_fleet"]
    assert (options.clusters, options.namespaces, options.failure_rate) == (3, 60, 0.15)
    assert options.execution_mode == "low_risk_auto"
    assert demo_fleet().environment == {
        "STARGATE_EXECUTION_TARGET": "test",
        "STARGATE_REMEDIATION_PASS_MINUTES": "1",
    }


@pytest.mark.parametrize(
    ("options", "line"),
    [
        (
            {"node": "worker-1", "failure": "node_not_ready"},
            "sim-01 node worker-1: node_not_ready injected",
        ),
        ({"namespace": "sandbox-a-b", "heal": True}, "sim-01/sandbox-a-b: healed"),
        ({"fault": "hang", "value": 60.0}, "sim-01: API fault hang (60) on"),
        ({"heal": True}, "sim-01: API faults cleared"),
    ],
)
def test_inject_failure_says_what_it_changed(options: dict[str, Any], line: str) -> None:
    from simulator.management.commands.inject_failure import change_line

    defaults = {"namespace": None, "node": None, "failure": None, "fault": None, "value": None}
    assert change_line({**defaults, "heal": False, "cluster": "sim-01", **options}) == line


@pytest.mark.django_db
def test_it_registers_captured_lab_namespaces_next_to_the_fleet(
    captures: Path, simulator_server: Any
) -> None:
    from labs.naming import parse_lab_namespace
    from simulator.captures import captures_store, read_captures
    from simulator.generator import FleetSpec, generate_fleet
    from simulator.registry import fleet_register

    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=3))
    sim = simulator_server(fleet=fleet, extra_stores={"captured": captures_store(captures)})
    captured_labs = {
        o["metadata"]["name"]
        for o in read_captures(captures).objects
        if o["kind"] == "Namespace" and parse_lab_namespace(o["metadata"]["name"])
    }

    registered = fleet_register(sim=sim)

    assert captured_labs
    assert registered == 3 + len(captured_labs)
    assert (
        set(
            LabInstance.objects.filter(cluster__name="captured").values_list("namespace", flat=True)
        )
        == captured_labs
    )
    assert Cluster.objects.get(name="captured").kubeconfig_path.endswith("captured.kubeconfig")


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (
            {"node": "worker-1", "failure": "node_not_ready"},
            (
                "POST",
                "/_control/nodes",
                {},
                {"cluster": "sim-01", "node": "worker-1", "failure": "node_not_ready"},
            ),
        ),
        (
            {"node": "worker-1", "heal": True},
            ("DELETE", "/_control/nodes", {"cluster": "sim-01", "node": "worker-1"}, None),
        ),
        (
            {"namespace": "sandbox-a-b", "heal": True},
            ("DELETE", "/_control/labs", {"cluster": "sim-01", "namespace": "sandbox-a-b"}, None),
        ),
        ({"heal": True}, ("DELETE", "/_control/faults", {"cluster": "sim-01"}, None)),
        (
            {"fault": "hang"},
            ("POST", "/_control/faults", {}, {"cluster": "sim-01", "mode": "hang", "value": None}),
        ),
    ],
)
def test_it_maps_inject_failure_options_to_control_calls(
    options: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    from simulator.management.commands.inject_failure import _request

    defaults = {
        "cluster": "sim-01",
        "namespace": None,
        "node": None,
        "failure": None,
        "fault": None,
        "value": None,
        "heal": False,
    }

    assert _request({**defaults, **options}) == expected
