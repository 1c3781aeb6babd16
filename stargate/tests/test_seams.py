"""The seams by which production code reaches the simulator: settings naming a callable."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from labs.models import Cluster
from scanning.probe_guard import GuardedTransport
from scanning.showroom import probe_client
from simulator.registry import CONTROL_FILE, simulator_dir
from simulator.transport import SimulatedTransport
from stargate.management.commands.serve import demo_commands, demo_services
from stargate.seams import demo_fleet, seams_importable

pytestmark = pytest.mark.smoke


def cluster(*, simulated: bool) -> Cluster:
    return Cluster(name="sim-01", api_url="https://127.0.0.1:6443", simulated=simulated)


def transport_of(client: httpx.Client) -> httpx.BaseTransport:
    return client._transport


def with_running_fleet(transport: httpx.BaseTransport) -> httpx.BaseTransport:
    """A stand-in factory, named by the setting like the simulator's own."""
    return SimulatedTransport(httpx.HTTPTransport(), guarded=transport)


def test_a_simulated_cluster_probes_through_the_configured_factory() -> None:
    path = f"{__name__}.with_running_fleet"
    with (
        override_settings(SHOWROOM_TRANSPORT_FACTORY=path),
        probe_client(cluster(simulated=True)) as client,
    ):
        transport = transport_of(client)

    assert isinstance(transport, SimulatedTransport)
    assert isinstance(transport.guarded, GuardedTransport)


def test_a_cluster_not_simulated_never_uses_the_factory() -> None:
    path = f"{__name__}.with_running_fleet"
    with (
        override_settings(SHOWROOM_TRANSPORT_FACTORY=path),
        probe_client(cluster(simulated=False)) as client,
    ):
        assert isinstance(transport_of(client), GuardedTransport)


def test_without_the_setting_a_simulated_cluster_is_probed_through_the_guard_alone() -> None:
    with (
        override_settings(SHOWROOM_TRANSPORT_FACTORY=""),
        probe_client(cluster(simulated=True)) as client,
    ):
        assert isinstance(transport_of(client), GuardedTransport)


def test_the_simulator_factory_keeps_the_guard_while_no_fleet_runs(tmp_path: Path) -> None:
    with override_settings(DATA_DIR=tmp_path), probe_client(cluster(simulated=True)) as client:
        assert isinstance(transport_of(client), GuardedTransport)


def test_a_seam_that_cannot_be_imported_names_its_variable() -> None:
    with override_settings(SHOWROOM_TRANSPORT_FACTORY="nowhere.factory"):
        with pytest.raises(ImproperlyConfigured, match="STARGATE_SHOWROOM_TRANSPORT_FACTORY"):
            probe_client(cluster(simulated=True))
        (error,) = seams_importable(None)

    assert error.id == "stargate.E001"


def test_the_demo_fleet_is_the_simulators_unless_turned_off() -> None:
    fleet = demo_fleet()

    assert fleet is not None
    assert fleet.ready_file == simulator_dir() / CONTROL_FILE
    assert demo_commands("py", fleet)[-1][:3] == ["py", "manage.py", "simulate_fleet"]
    with override_settings(DEMO_FLEET=""):
        assert demo_fleet() is None
        assert demo_commands("py", demo_fleet()) == []


def test_the_configured_seams_import() -> None:
    assert seams_importable(None) == []


def test_the_demo_starts_the_simulated_llm_and_points_every_process_at_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STARGATE_LLM_API_BASE", raising=False)
    fleet = demo_fleet()
    assert fleet is not None
    (service,) = demo_services(fleet)
    commands = demo_commands("py", fleet, [service])
    assert commands[0][:3] == ["py", "-m", "simulator.llm"]
    assert commands[-1][:3] == ["py", "manage.py", "simulate_fleet"]  # the fleet stays last
    port = commands[0][commands[0].index("--port") + 1]
    key = commands[0][commands[0].index("--api-key") + 1]
    assert service.environment == {
        "STARGATE_LLM_API_BASE": f"http://127.0.0.1:{port}/v1",
        "STARGATE_LLM_API_KEY": key,
    }


def test_a_real_llm_endpoint_the_user_set_wins_over_the_simulated_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STARGATE_LLM_API_BASE", "https://granite.example.com/v1")
    fleet = demo_fleet()
    assert fleet is not None and demo_services(fleet) == []
    assert len(demo_commands("py", fleet, demo_services(fleet))) == 1
