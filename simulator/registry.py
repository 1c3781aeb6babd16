"""Tell StarGate about a running simulated fleet: kubeconfigs, Cluster rows, labs, control file."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from labs.models import Cluster, Lab
from labs.naming import parse_lab_namespace
from labs.services import lab_instance_upsert
from simulator.controllers import NAMESPACES
from simulator.fleet import FleetSimulator
from simulator.transport import ShowroomTransport

CONTROL_FILE = "control.json"


def simulator_dir() -> Path:
    return Path(settings.DATA_DIR) / "simulator"


# `purpose: sim` is one the `test` execution target runs on (remediation.execution).
SIMULATED_LABELS = {"simulated": "true", "purpose": "sim"}


@transaction.atomic
def fleet_register(*, sim: FleetSimulator, execution_mode: str = "") -> int:
    """Create or update a Cluster row per simulated cluster and a lab per lab namespace. With
    `execution_mode`, the labs this registration creates get it (existing ones keep theirs)."""
    known = set(Lab.objects.values_list("catalog_item", flat=True))
    clusters = {}
    for name in sim.clusters:
        clusters[name], _ = Cluster.objects.update_or_create(
            name=name,
            defaults={
                "api_url": sim.url(name),
                "kubeconfig_path": str(sim.kubeconfig_path(name)),
                "ca_bundle_path": str(sim.ca_path or ""),
                "verify_tls": sim.ca_path is not None,
                "insecure_lab": sim.ca_path is None,
                "simulated": True,
                "labels": SIMULATED_LABELS,
                "enabled": True,
            },
        )
    namespaces = [(lab.cluster, lab.namespace) for lab in sim.fleet.labs]
    for name, store in sim.extra_stores.items():
        namespaces += [(name, ns["metadata"]["name"]) for ns in store.list(NAMESPACES)]
    registered = 0
    for cluster, namespace in namespaces:
        lab_name = parse_lab_namespace(namespace)
        if lab_name is not None:
            lab_instance_upsert(cluster=clusters[cluster], lab_name=lab_name)
            registered += 1
    if execution_mode:
        created = Lab.objects.exclude(catalog_item__in=known)
        created.update(execution_mode=execution_mode)
    return registered


def control_file_write(*, sim: FleetSimulator, directory: Path) -> Path:
    """Where `inject_failure` finds the running fleet (URL and token; readable by owner only)."""
    path = directory / CONTROL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "http_url": sim.http_url,
                "token": sim.token,
                "clusters": {name: sim.url(name) for name in sim.clusters},
            }
        )
    )
    path.chmod(0o600)
    return path


def running_showroom_transport() -> ShowroomTransport | None:
    """A transport to the running simulated fleet's showroom pages (None when none runs), so a
    probe in another process (the scanner's workers) reaches them by their route hosts."""
    path = simulator_dir() / CONTROL_FILE
    if not path.exists():
        return None
    return ShowroomTransport(json.loads(path.read_text())["http_url"])
