"""`manage.py simulate_fleet`: run a simulated fleet in the foreground and register it."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from simulator import platform_services
from simulator.captures import captures_store
from simulator.fleet import fleet_simulator
from simulator.generator import FleetSpec, generate_fleet
from simulator.registry import control_file_write, fleet_register, simulator_dir


class Command(BaseCommand):
    help = "Serve N simulated clusters x M lab namespaces on loopback until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clusters", type=int, default=3)
        parser.add_argument("--namespaces", type=int, default=60, help="lab namespaces per cluster")
        parser.add_argument("--failure-rate", type=float, default=0.1)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--captures", type=Path, help="also serve this capture directory as cluster 'captured'"
        )
        parser.add_argument("--no-register", action="store_true", help="no Cluster/lab rows")
        parser.add_argument(
            "--no-services",
            action="store_true",
            help="no platform service simulators (Labagator, AAP, Demolition, ...)",
        )
        parser.add_argument(
            "--execution-mode",
            default="",
            choices=["", "recommend_only", "low_risk_auto", "full_auto"],
            help="the remediation mode of the labs it registers first",
        )
        parser.add_argument("--duration", type=float, default=0, help="stop after N s (0: never)")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        spec = FleetSpec(
            clusters=options["clusters"],
            namespaces=options["namespaces"],
            failure_rate=options["failure_rate"],
            seed=options["seed"],
        )
        started = time.perf_counter()
        fleet = generate_fleet(spec)
        mix = fleet.failure_mix()
        self.stdout.write(
            f"Simulated fleet: {len(fleet.labs)} labs on {spec.clusters} clusters, "
            f"{sum(mix.values())} failures of {len(mix)} kinds"
            + (
                ""
                if self.verbosity < 1
                else f", generated in {time.perf_counter() - started:.2f} s:"
            )
        )
        if self.verbosity >= 1:
            for kind, count in sorted(mix.items()):
                self.stdout.write(f"  {kind:<28} {count}")
        directory = simulator_dir()
        extra = {"captured": captures_store(options["captures"])} if options["captures"] else {}
        sim = fleet_simulator(fleet, directory=directory, extra_stores=extra)
        control = None
        services = None
        try:
            if not options["no_services"]:
                services = platform_services.start(fleet, directory, kubernetes=sim)
                self._announce_services(services)
            self._announce(sim, options["no_register"], options["execution_mode"])
            control = control_file_write(sim=sim, directory=directory)
            self._wait(options["duration"])
        finally:
            if services is not None:
                services.stop()
            sim.stop()
            if control is not None:
                control.unlink(missing_ok=True)

    def _announce(self, sim: Any, no_register: bool, execution_mode: str) -> None:
        if self.verbosity >= 1:
            for name in sim.clusters:
                url, kubeconfig = sim.url(name), sim.kubeconfig_path(name)
                self.stdout.write(f"{name}: {url}  kubeconfig {kubeconfig}")
            self.stdout.write(f"Showroom pages and /_control at {sim.http_url}")
        if not no_register:
            count = fleet_register(sim=sim, execution_mode=execution_mode)
            self.stdout.write(f"Registered {len(sim.clusters)} clusters and {count} labs.")
        if self.verbosity >= 1:
            self.stdout.write(self.style.SUCCESS("Simulated fleet running; Ctrl-C stops it."))

    def _announce_services(self, services: platform_services.PlatformServices) -> None:
        if self.verbosity < 1:
            return
        for name, server in services.servers.items():
            self.stdout.write(f"{name}: {server.url}")
        self.stdout.write(f"AgnosticV repository: {services.manifest()['agnosticv']['url']}")
        self.stdout.write(f"Service URLs and credentials in {services.manifest_path}")

    def _wait(self, duration: float) -> None:
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        if duration == 0:
            signal.signal(signal.SIGTERM, stop)
        deadline = time.monotonic() + duration if duration else float("inf")
        try:
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
        except KeyboardInterrupt:
            pass
