"""The simulator's side of `stargate.seams`: production code reaches these through settings
(`STARGATE_SHOWROOM_TRANSPORT_FACTORY`, `STARGATE_DEMO_FLEET`), never by import."""

from __future__ import annotations

import secrets
import socket
from typing import Any

import httpx

from simulator.registry import CONTROL_FILE, running_showroom_transport, simulator_dir
from simulator.transport import SimulatedTransport
from stargate.seams import DemoFleet, DemoService

# `serve`'s demo: 3 clusters x 60 labs, 15 % broken, fixed automatically when the risk is low.
DEMO_ARGUMENTS = [
    *("--clusters", "3", "--namespaces", "60", "--failure-rate", "0.15", "--seed", "7"),
    *("--execution-mode", "low_risk_auto", "--verbosity", "0"),
]
# The demo's processes run low-risk fixes on the simulated clusters (`purpose: sim`), and the
# remediation pass every minute; a variable the user set wins.
DEMO_ENVIRONMENT = {"STARGATE_EXECUTION_TARGET": "test", "STARGATE_REMEDIATION_PASS_MINUTES": "1"}


def showroom_transport(guarded: httpx.BaseTransport) -> httpx.BaseTransport:
    """A simulated cluster's probe transport: its route hosts (`showroom-<ns>.apps.<cluster>.…`,
    resolvable nowhere) to the running fleet's loopback pages, any other host to `guarded`; just
    `guarded` when no fleet runs (found through `STARGATE_DATA_DIR/simulator/control.json`)."""
    simulator = running_showroom_transport()
    if simulator is None:
        return guarded
    return SimulatedTransport(simulator, guarded=guarded)


def demo_fleet() -> DemoFleet:
    return DemoFleet(
        command=["simulate_fleet", *DEMO_ARGUMENTS],
        ready_file=simulator_dir() / CONTROL_FILE,
        environment=DEMO_ENVIRONMENT,
        services=[demo_llm()],
    )


def demo_llm() -> DemoService:
    """The simulated LLM endpoint on a free loopback port with a fresh key; the demo's processes
    classify through it, unless the user pointed `STARGATE_LLM_API_BASE` at a real endpoint."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    key = f"sim-{secrets.token_urlsafe(12)}"
    return DemoService(
        args=["-m", "simulator.llm", "--port", str(port), "--api-key", key],
        environment={
            "STARGATE_LLM_API_BASE": f"http://127.0.0.1:{port}/v1",
            "STARGATE_LLM_API_KEY": key,
        },
        unless_set="STARGATE_LLM_API_BASE",
    )


def classifier_eval_cases() -> list[tuple[str, dict[str, Any]]]:
    """`manage.py eval_classifier`'s generated cases: (failure kind, evidence) per lab failure."""
    from simulator.evalset import failure_evidence

    return failure_evidence()
