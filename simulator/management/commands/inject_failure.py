"""`manage.py inject_failure`: break or heal a running simulated fleet (see simulate_fleet).

inject_failure --cluster sim-01 --namespace sandbox-abcde-ocp4-cluster --failure crashloop
inject_failure --cluster sim-01 --namespace sandbox-abcde-ocp4-cluster --heal
inject_failure --cluster sim-02 --fault error_500      (API faults: see --list)
inject_failure --cluster sim-02 --heal
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser

from simulator.failures import FAILURE_KINDS
from simulator.faults import FAULT_MODES
from simulator.registry import CONTROL_FILE, simulator_dir


class Command(BaseCommand):
    help = "Inject or heal a lab failure or an API fault in the running simulated fleet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cluster")
        parser.add_argument("--namespace", help="a lab namespace (for --failure or --heal)")
        parser.add_argument("--node", help="a node (for node_not_ready, node_high_cpu, --heal)")
        parser.add_argument("--failure", help="a lab or node failure kind")
        parser.add_argument("--fault", help="an API fault mode")
        parser.add_argument("--value", type=float, help="fault value (seconds, events)")
        parser.add_argument("--heal", action="store_true")
        parser.add_argument("--list", action="store_true", help="list failures and faults")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            self.stdout.write("lab failures: " + ", ".join(FAILURE_KINDS))
            self.stdout.write(
                "API faults: " + ", ".join(f"{k} ({v})" for k, v in FAULT_MODES.items())
            )
            return
        if not options["cluster"]:
            raise CommandError("--cluster is required")
        method, path, params, body = _request(options)
        self._control(method, path, params, body)
        self.stdout.write(change_line(options))

    def _control(
        self, method: str, path: str, params: dict[str, str], body: dict[str, Any] | None
    ) -> Any:
        control = simulator_dir() / CONTROL_FILE
        if not control.exists():
            raise CommandError(f"no running simulated fleet ({control} is missing)")
        running = json.loads(control.read_text())
        try:
            response = httpx.request(
                method,
                running["http_url"] + path,
                params=params,
                json=body,
                timeout=10,
                headers={"Authorization": f"Bearer {running['token']}"},
            )
        except httpx.HTTPError as error:
            raise CommandError(f"the simulated fleet does not answer: {error}") from error
        if response.status_code != 200:
            raise CommandError(response.text)
        return response.json()


def change_line(options: dict[str, Any]) -> str:
    """What the control endpoint just changed, in one line."""
    where = options["cluster"]
    if options["node"]:
        where += f" node {options['node']}"
    elif options["namespace"]:
        where += f"/{options['namespace']}"
    if options["heal"]:
        return (
            f"{where}: healed"
            if options["node"] or options["namespace"]
            else (f"{where}: API faults cleared")
        )
    if options["failure"]:
        return f"{where}: {options['failure']} injected"
    value = "" if options["value"] is None else f" ({options['value']:g})"
    return f"{where}: API fault {options['fault']}{value} on"


def _request(options: dict[str, Any]) -> tuple[str, str, dict[str, str], dict[str, Any] | None]:
    cluster, namespace, node = options["cluster"], options["namespace"], options["node"]
    if node:
        if options["heal"]:
            return "DELETE", "/_control/nodes", {"cluster": cluster, "node": node}, None
        body = {"cluster": cluster, "node": node, "failure": options["failure"]}
        return "POST", "/_control/nodes", {}, body
    if options["heal"]:
        if namespace:
            return "DELETE", "/_control/labs", {"cluster": cluster, "namespace": namespace}, None
        return "DELETE", "/_control/faults", {"cluster": cluster}, None
    if options["failure"]:
        if not namespace:
            raise CommandError("--failure needs --namespace")
        body = {"cluster": cluster, "namespace": namespace, "failure": options["failure"]}
        return "POST", "/_control/labs", {}, body
    if options["fault"]:
        body = {"cluster": cluster, "mode": options["fault"], "value": options["value"]}
        return "POST", "/_control/faults", {}, body
    raise CommandError("give --failure, --fault or --heal")
